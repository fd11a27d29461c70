package org.photobridge.fhir;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Optional;

import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

/** The one reading of FHIR date search parameters that every provider of ours uses. */
public final class SearchDates {

    private SearchDates() {
    }

    /**
     * Search dates without a time (2026-11-05, 2026-11, 2026) are whole days, months or years in the
     * given zone; HAPI's own bounds would widen them by the largest time-zone offsets and let
     * "le2026-11-06" match an event of the 7th.
     */
    public static DateRange range(DateRangeParam date, ZoneId zone) {
        if (date == null) {
            return DateRange.ANY;
        }
        Optional<Instant> from = Optional.empty();
        Optional<Instant> to = Optional.empty();
        var lower = date.getLowerBound();
        if (lower != null && !lower.isEmpty()) {
            from = Optional.of(switch (prefix(lower)) {
                case GREATERTHAN, STARTS_AFTER -> periodEnd(lower, zone);
                default -> periodStart(lower, zone);
            });
        }
        var upper = date.getUpperBound();
        if (upper != null && !upper.isEmpty()) {
            to = Optional.of(switch (prefix(upper)) {
                case LESSTHAN, ENDS_BEFORE -> periodStart(upper, zone).minusMillis(1);
                default -> periodEnd(upper, zone).minusMillis(1);
            });
        }
        return new DateRange(from, to);
    }

    private static ParamPrefixEnum prefix(DateParam param) {
        var prefix = param.getPrefix() == null ? ParamPrefixEnum.EQUAL : param.getPrefix();
        if (prefix == ParamPrefixEnum.NOT_EQUAL || prefix == ParamPrefixEnum.APPROXIMATE) {
            throw new InvalidRequestException("date searches support the prefixes eq, lt, le, gt, ge, sa, eb");
        }
        return prefix;
    }

    private static Instant periodStart(DateParam param, ZoneId zone) {
        var text = param.getValueAsString();
        return switch (param.getPrecision()) {
            case YEAR -> Year.parse(text.substring(0, 4)).atDay(1).atStartOfDay(zone).toInstant();
            case MONTH -> YearMonth.parse(text.substring(0, 7)).atDay(1).atStartOfDay(zone).toInstant();
            case DAY -> LocalDate.parse(text.substring(0, 10)).atStartOfDay(zone).toInstant();
            default -> param.getValue().toInstant();
        };
    }

    /** The first instant after the period the parameter names. */
    private static Instant periodEnd(DateParam param, ZoneId zone) {
        var start = periodStart(param, zone).atZone(zone);
        return switch (param.getPrecision()) {
            case YEAR -> start.plusYears(1).toInstant();
            case MONTH -> start.plusMonths(1).toInstant();
            case DAY -> start.plusDays(1).toInstant();
            case MINUTE -> start.plusMinutes(1).toInstant();
            case SECOND -> start.plusSeconds(1).toInstant();
            default -> start.plusNanos(1_000_000).toInstant();
        };
    }

}
