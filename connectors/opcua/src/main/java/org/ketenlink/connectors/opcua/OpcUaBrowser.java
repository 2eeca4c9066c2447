package org.ketenlink.connectors.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.milo.opcua.sdk.client.BrowseHelper;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseDirection;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseResultMask;
import org.eclipse.milo.opcua.stack.core.types.enumerated.NodeClass;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;

/**
 * Discovery for the command line: which variables a server has, so that a configuration can be
 * written from them. Uses the same security, user and trust list as a source.
 */
public final class OpcUaBrowser {

  private static final long MAX_REFERENCES_PER_CALL = 1000;

  private OpcUaBrowser() {}

  /**
   * Connects, walks the address space below the Objects folder along hierarchical references (all
   * continuation points followed) and returns every variable found, sorted by browse path. Skipped:
   * the standard nodes of namespace 0 directly below Objects (the Server object and its
   * diagnostics) and the properties of variables (EngineeringUnits, EURange, ...; their content is
   * reported with the variable). Blocks; takes one connection.
   *
   * @param maxDepth how many levels below Objects to look; {@code 1} lists the variables directly
   *     in Objects, {@code 4} reaches {@code line1/cnc1/Monitoring/SpindleSpeed}
   * @throws IllegalArgumentException if the arguments are invalid
   * @throws IOException if the server cannot be reached or refuses the gateway; the message says
   *     why (for an untrusted server certificate: the file and the command to trust it)
   */
  public static List<BrowsedVariable> browse(
      String endpointUrl,
      SecurityPolicy securityPolicy,
      SecurityMode securityMode,
      Identity identity,
      OpcUaPki pki,
      int maxDepth)
      throws IOException {
    OpcUaSourceSettings settings =
        OpcUaSourceSettings.of("browse", endpointUrl, List.of())
            .withSecurity(securityPolicy, securityMode)
            .withIdentity(identity);
    List<String> problems = new ArrayList<>(settings.problems());
    if (maxDepth < 1) {
      problems.add("maxDepth: must be >= 1, got " + maxDepth);
    }
    if (pki == null) {
      problems.add("pki: must be set");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("cannot browse:\n  - " + String.join("\n  - ", problems));
    }
    Connector.Target target = Connector.Target.of(settings);
    Connector.X509User x509 =
        identity instanceof Identity.X509 x ? Connector.X509User.load(x) : null;
    AtomicReference<ServerCertificateCheck.Refusal> refusal = new AtomicReference<>();
    OpcUaClient client = null;
    try {
      List<EndpointDescription> endpoints = Connector.getEndpoints(target);
      EndpointDescription endpoint =
          Connector.reachable(Connector.select(endpoints, target), endpointUrl);
      ServerCertificateCheck check = new ServerCertificateCheck(pki, refusal::set);
      client =
          Connector.newClient(
              target, endpoint, pki, check, Connector.identityProvider(identity, check, x509));
      client
          .connectAsync()
          .get(
              settings.connectTimeout().plus(settings.requestTimeout().multipliedBy(2)).toMillis(),
              TimeUnit.MILLISECONDS);
      List<Found> found = walk(client, maxDepth, settings.requestTimeout().toMillis());
      Map<NodeId, NodeMetadata.Info> infos =
          new NodeMetadata(client).read(found.stream().map(Found::node).toList());
      NamespaceTable namespaces = client.getNamespaceTable();
      List<BrowsedVariable> result = new ArrayList<>(found.size());
      for (Found f : found) {
        NodeMetadata.Info info = infos.get(f.node());
        result.add(
            new BrowsedVariable(
                NodeIdText.withUri(f.node(), namespaces),
                f.path(),
                String.valueOf(namespaces.get(f.node().getNamespaceIndex())),
                info == null ? "Unknown" : info.dataType(),
                info == null ? Optional.empty() : info.unit(),
                info != null && info.readable()));
      }
      result.sort(Comparator.comparing(BrowsedVariable::path));
      return result;
    } catch (Connector.NotOfferedException e) {
      throw new IOException(endpointUrl + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(endpointUrl + ": interrupted", e);
    } catch (Exception e) {
      ServerCertificateCheck.Refusal r = refusal.get();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      String why =
          r != null
              ? r.message()
              : e instanceof TimeoutException
                  ? "no answer in time"
                  : Connector.describe(cause, target, pki);
      throw new IOException(endpointUrl + ": " + why, e);
    } finally {
      if (client != null) {
        try {
          client.disconnectAsync().get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
          // The answer is complete; a slow goodbye does not matter.
        }
      }
    }
  }

  private record Found(NodeId node, List<String> path) {}

  private record Pending(NodeId node, List<String> path, boolean variable) {}

  private static List<Found> walk(OpcUaClient client, int maxDepth, long timeoutMs)
      throws Exception {
    NamespaceTable namespaces = client.getNamespaceTable();
    List<Found> found = new ArrayList<>();
    Set<NodeId> visited = new HashSet<>();
    Deque<Pending> queue = new ArrayDeque<>();
    queue.add(new Pending(NodeIds.ObjectsFolder, List.of(), false));
    visited.add(NodeIds.ObjectsFolder);
    while (!queue.isEmpty()) {
      Pending p = queue.poll();
      if (p.path().size() >= maxDepth) {
        continue;
      }
      BrowseDescription description =
          new BrowseDescription(
              p.node(),
              BrowseDirection.Forward,
              NodeIds.HierarchicalReferences,
              true,
              uint(NodeClass.Object.getValue() | NodeClass.Variable.getValue()),
              uint(BrowseResultMask.All.getValue()));
      List<ReferenceDescription> references =
          BrowseHelper.browse(client, description, uint(MAX_REFERENCES_PER_CALL))
              .get(timeoutMs, TimeUnit.MILLISECONDS);
      for (ReferenceDescription r : references) {
        Optional<NodeId> child = r.getNodeId().toNodeId(namespaces);
        if (child.isEmpty() || r.getBrowseName() == null || r.getBrowseName().name() == null) {
          continue;
        }
        if (p.path().isEmpty() && child.get().getNamespaceIndex().intValue() == 0) {
          continue;
        }
        if (p.variable() && NodeIds.HasProperty.equals(r.getReferenceTypeId())) {
          continue;
        }
        if (!visited.add(child.get())) {
          continue;
        }
        List<String> path = new ArrayList<>(p.path());
        path.add(r.getBrowseName().name());
        boolean variable = r.getNodeClass() == NodeClass.Variable;
        if (variable) {
          found.add(new Found(child.get(), List.copyOf(path)));
        }
        queue.add(new Pending(child.get(), List.copyOf(path), variable));
      }
    }
    return found;
  }
}
