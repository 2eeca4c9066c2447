package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Milo types never leave this package: the public API speaks JDK and connector-api types only. */
class PublicApiTest {

  private static final List<Class<?>> FRONT_DOOR =
      List.of(
          OpcUaSource.class,
          OpcUaSourceSettings.class,
          SignalSettings.class,
          NodeAddress.class,
          NodeAddress.ById.class,
          NodeAddress.ByPath.class,
          Deadband.class,
          Deadband.Kind.class,
          Identity.class,
          Identity.Anonymous.class,
          Identity.UserPassword.class,
          Identity.X509.class,
          SecurityPolicy.class,
          SecurityMode.class,
          OpcUaPki.class,
          OpcUaBrowser.class,
          BrowsedVariable.class);

  @Test
  void noPublicSignatureMentionsAMiloType() {
    List<String> leaks = new ArrayList<>();
    for (Class<?> c : FRONT_DOOR) {
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
          check(
              leaks,
              c,
              m.getName(),
              Stream.concat(
                  Stream.of(m.getGenericReturnType()),
                  Stream.concat(
                      Stream.of(m.getGenericParameterTypes()),
                      Stream.of(m.getGenericExceptionTypes()))));
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (Modifier.isPublic(k.getModifiers())) {
          check(leaks, c, "<init>", Stream.of(k.getGenericParameterTypes()));
        }
      }
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isPublic(f.getModifiers())) {
          check(leaks, c, f.getName(), Stream.of(f.getGenericType()));
        }
      }
    }
    assertThat(leaks).isEmpty();
  }

  @Test
  void everythingElseInThePackageIsPackagePrivate() {
    List<Class<?>> helpers =
        List.of(
            Values.class,
            Connector.class,
            NodeMetadata.class,
            Batches.class,
            Pem.class,
            RejectedCertificates.class,
            ServerCertificateCheck.class,
            NodeIdText.class,
            StatusNames.class,
            Durations.class);
    assertThat(helpers).noneMatch(c -> Modifier.isPublic(c.getModifiers()));
  }

  private static void check(List<String> leaks, Class<?> c, String member, Stream<Type> types) {
    types
        .filter(t -> t.getTypeName().contains("org.eclipse.milo"))
        .forEach(t -> leaks.add(c.getSimpleName() + "." + member + ": " + t.getTypeName()));
  }
}
