using System.Net;
using System.Net.Sockets;

namespace AirbyteOps.Postgres;

/// <summary>Whether a TCP port can be bound on an address: the honest test of "someone else holds it".</summary>
public static class PortCheck
{
    public static bool IsFree(string address, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), port));
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return false;
        }
    }
}
