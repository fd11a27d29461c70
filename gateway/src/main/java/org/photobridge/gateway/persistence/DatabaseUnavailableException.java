package org.photobridge.gateway.persistence;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * The database could not be reached (down, restarting, connections exhausted). Whatever the request
 * was doing was not committed, or its outcome is unknown: the caller may try again, and an upload of
 * the same file answers with the photo if the first attempt did commit.
 */
public class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(Throwable cause) {
        super("the database is unavailable", cause);
    }

    /**
     * Whether {@code failure} comes from the database being out of reach rather than from what was
     * asked of it: a connection-class SQL state (08...), an administrator shutdown (57P01-57P03),
     * too many connections (53300), or a connection the pool could not hand out in time.
     */
    public static boolean causedBy(Throwable failure) {
        return causedBy(failure, 0);
    }

    private static boolean causedBy(Throwable failure, int depth) {
        if (depth > 5) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Throwable suppressed : t.getSuppressed()) {
                // A commit that failed reports the connection's own failure as suppressed, not as cause.
                if (causedBy(suppressed, depth + 1)) {
                    return true;
                }
            }
            if (t instanceof DatabaseUnavailableException || t instanceof SQLTransientConnectionException
                    || t instanceof org.hibernate.exception.JDBCConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P0") || state.equals("53300")) {
                    return true;
                }
            }
            String message = t.getMessage();
            if (message != null && (message.contains("Unable to acquire JDBC Connection")
                    || message.contains("terminating connection due to administrator command")
                    || message.contains("An I/O error occurred while sending to the backend")
                    || message.contains("This connection has been closed"))) {
                return true;
            }
        }
        return false;
    }
}
