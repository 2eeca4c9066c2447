package org.ketenlink.connectors.opcua;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.OperationLimits;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePath;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePathResult;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;

/**
 * Read and TranslateBrowsePaths split into calls the server accepts (its OperationLimits; a server
 * refuses bigger requests with Bad_TooManyOperations). Blocking.
 */
final class Batches {

  /** For servers that do not publish their limits. */
  private static final int FALLBACK_LIMIT = 250;

  private Batches() {}

  static List<BrowsePathResult> translate(OpcUaClient client, List<BrowsePath> paths)
      throws UaException {
    int size = limit(client, OperationLimits::maxNodesPerTranslateBrowsePathsToNodeIds);
    List<BrowsePathResult> results = new ArrayList<>(paths.size());
    for (int i = 0; i < paths.size(); i += size) {
      List<BrowsePath> part = paths.subList(i, Math.min(paths.size(), i + size));
      BrowsePathResult[] r = client.translateBrowsePaths(part).getResults();
      results.addAll(complete(r, part.size()));
    }
    return results;
  }

  static List<DataValue> read(OpcUaClient client, List<ReadValueId> reads) throws UaException {
    int size = limit(client, OperationLimits::maxNodesPerRead);
    List<DataValue> results = new ArrayList<>(reads.size());
    for (int i = 0; i < reads.size(); i += size) {
      List<ReadValueId> part = reads.subList(i, Math.min(reads.size(), i + size));
      DataValue[] r = client.read(0.0, TimestampsToReturn.Neither, part).getResults();
      results.addAll(complete(r, part.size()));
    }
    return results;
  }

  private static <T> List<T> complete(T[] results, int expected) throws UaException {
    if (results == null || results.length != expected) {
      throw new UaException(
          StatusCodes.Bad_UnexpectedError,
          "the server answered "
              + (results == null ? 0 : results.length)
              + " of "
              + expected
              + " operations");
    }
    return List.of(results);
  }

  private static int limit(
      OpcUaClient client, java.util.function.Function<OperationLimits, Optional<UInteger>> which) {
    try {
      return which
          .apply(client.getOperationLimits())
          .map(UInteger::longValue)
          .filter(v -> v > 0)
          .map(v -> (int) Math.min(v, 10_000))
          .orElse(FALLBACK_LIMIT);
    } catch (UaException e) {
      return FALLBACK_LIMIT;
    }
  }
}
