using System.Net;
using System.Net.Sockets;

namespace AirbyteOps.TestSupport;

/// <summary>Names and ports for what the tests create, so they never touch a user's containers, volumes, projects or ports.</summary>
public static class TestNames
{
    /// <summary>The prefix of everything the tests create ("abops-test-...").</summary>
    public const string Prefix = "abops-test-";

    /// <summary>A short random id (hex).</summary>
    public static string Id(int length = 8) => Guid.NewGuid().ToString("N")[..length];

    public static string Unique(string what) => $"{Prefix}{Id()}-{what}";

    /// <summary>A port nobody listens on right now on 127.0.0.1 (tests publish only there).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
