using System.Net;
using System.Net.Sockets;

namespace AirbyteOps.Tests;

/// <summary>Names and ports for test objects, so tests never touch a user's containers, volumes or ports.</summary>
public static class TestNames
{
    public static string Unique(string what) => $"abops-test-{Guid.NewGuid().ToString("N")[..8]}-{what}";

    /// <summary>A port nobody listens on right now on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
