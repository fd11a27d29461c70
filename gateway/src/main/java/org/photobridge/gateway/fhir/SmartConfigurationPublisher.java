package org.photobridge.gateway.fhir;

import java.util.function.Supplier;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

import org.photobridge.fhir.server.SmartConfiguration;
import org.photobridge.fhir.server.SmartDiscovery;

/**
 * Hands the SMART configuration to the FHIR servlet through the servlet context, where
 * {@code PhotoBridgeFhirServer} looks for it when it starts (the servlet is built by the container,
 * so this is its way in). Read per request, so a provider that was down at start-up is picked up later.
 */
@WebListener
public class SmartConfigurationPublisher implements ServletContextListener {

    @Inject
    SmartConfigurationSource source;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        Supplier<SmartConfiguration> current = source::current;
        event.getServletContext().setAttribute(SmartDiscovery.CONFIGURATION_ATTRIBUTE, current);
    }
}
