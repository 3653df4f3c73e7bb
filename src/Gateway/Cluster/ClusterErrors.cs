using Orleans.Loki.Grains.Placement;

namespace Orleans.Loki.Gateway.Cluster;

/// <summary>
/// Failures that mean "part of the cluster is not there right now" (a silo died and membership has not yet moved
/// its grains, no silo runs a needed module): answered 503 with a text, so clients retry (a retried push is
/// de-duplicated by the stream), never an empty 500.
/// </summary>
internal static class ClusterErrors
{
    public static string? Describe(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case ModuleUnavailableException m:
                    return "service unavailable: " + m.Message;
                case SiloUnavailableException:
                    return "service unavailable: the silo holding this data is unreachable; retry once membership has moved it (" + FirstLine(current.Message) + ")";
                case OrleansMessageRejectionException:
                    return "service unavailable: a silo rejected the call while the cluster changes; retry (" + FirstLine(current.Message) + ")";
                case ClientNotAvailableException:
                    return "service unavailable: " + FirstLine(current.Message);
                case TimeoutException when current.Message.Contains("did not arrive on time", StringComparison.Ordinal):
                    return "service unavailable: a grain call timed out while a silo is unreachable; retry (" + FirstLine(current.Message) + ")";
            }
        }
        return null;
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n');
        return (newline >= 0 ? message[..newline] : message).Trim();
    }
}
