using System.Net;
using System.Net.Sockets;

namespace Orleans.Loki.Testing;

/// <summary>
/// Loopback ports for servers that cannot bind port 0 themselves (Orleans' silo and gateway ports, external tools).
/// HTTP servers the tests start bind port 0 and report the chosen port instead (see <c>LokiTestServer</c>).
/// </summary>
public static class Ports
{
    /// <summary>A port that was free a moment ago (the OS picks it; another process may still take it before use).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
