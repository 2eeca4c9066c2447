package org.ketenlink.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundaries the design depends on: protocol libraries stay inside their connector, so the data
 * path only ever sees Ketenlink's own model.
 */
class ArchitectureTest {

  static JavaClasses production;

  @BeforeAll
  static void importClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.ketenlink");
  }

  @Test
  void miloTypesStayInTheOpcUaConnectorAndTheSimulator() {
    noClasses()
        .that()
        .resideOutsideOfPackages("org.ketenlink.connectors.opcua..", "org.ketenlink.simulator..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.eclipse.milo..")
        .check(production);
  }

  @Test
  void pahoTypesStayInTheMqttConnector() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.ketenlink.connectors.mqtt..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.eclipse.paho..")
        .check(production);
  }

  @Test
  void theConnectorModelDependsOnNoProtocolLibrary() {
    noClasses()
        .that()
        .resideInAPackage("org.ketenlink.connectors.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.eclipse..", "com.hivemq..", "io.netty..", "com.fasterxml..")
        .check(production);
  }

  @Test
  void connectorsDoNotDependOnTheGateway() {
    noClasses()
        .that()
        .resideInAPackage("org.ketenlink.connectors..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.ketenlink.gateway..", "org.ketenlink.simulator..")
        .check(production);
  }

  @Test
  void onlyTheEmbeddedBrokerTouchesHiveMq() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.ketenlink.gateway")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.hivemq..")
        .check(production);
  }
}
