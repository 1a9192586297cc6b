using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AirbyteOps.Postgres;

namespace AirbyteOps.Tests.Postgres;

/// <summary>
/// The destination's probe opens its connection before the look has said the port is ours, and gives the password only
/// once it has. A listener that speaks just enough of the Postgres protocol to ask for a cleartext password records
/// what reaches it.
/// </summary>
public sealed class GatedProbeTests
{
    private const string Password = "pw-gated-probe-secret";

    [Fact]
    public async Task The_password_is_withheld_from_a_server_the_look_says_is_not_ours()
    {
        await using var server = new PasswordAskingServer();
        var probe = PostgresProbe.QueryOnceConfirmedAsync(server.ConnectionString, Password, Task.FromResult(false));

        Assert.Null(await probe.WaitAsync(TimeSpan.FromSeconds(30)));
        var seen = await server.Session.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(seen.StartupReceived);
        Assert.Null(seen.PasswordReceived);
    }

    [Fact]
    public async Task The_connection_waits_at_the_password_request_until_the_look_answers_then_sends_it()
    {
        await using var server = new PasswordAskingServer();
        var ours = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        var probe = PostgresProbe.QueryOnceConfirmedAsync(server.ConnectionString, Password, ours.Task);
        await server.PasswordRequested.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(200);
        var beforeAnswer = server.PasswordSoFar;
        ours.SetResult(true);
        var seen = await server.Session.WaitAsync(TimeSpan.FromSeconds(30));

        // Connected, startup sent and the password asked for while the look had not answered; nothing sent until it did.
        Assert.Null(beforeAnswer);
        Assert.Equal(Password, seen.PasswordReceived);
        // This server refuses every password (28P01): a rejected password is said at once, as by the ungated probe.
        await Assert.ThrowsAsync<PasswordRejectedException>(() => probe.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>
    /// One connection: refuses TLS ('N'), reads the startup message, asks for a cleartext password, and records the
    /// password message if one comes before the client hangs up; then ends the session with an error.
    /// </summary>
    private sealed class PasswordAskingServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile string? _password;

        public PasswordAskingServer()
        {
            _listener.Start();
            Session = Task.Run(ServeOneAsync);
        }

        public string ConnectionString => $"Host=127.0.0.1;Port={((IPEndPoint)_listener.LocalEndpoint).Port};Username=postgres;Database=postgres;Timeout=10;Pooling=false";
        public Task<(bool StartupReceived, string? PasswordReceived)> Session { get; }
        public Task PasswordRequested => _asked.Task;
        public string? PasswordSoFar => _password;

        private async Task<(bool, string?)> ServeOneAsync()
        {
            // A client may open a connection and drop it before sending anything (a GSS attempt): the session is the first
            // connection that sends a startup message.
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                bool startup;
                try
                {
                    startup = await StartupAsync(stream);
                }
                catch (EndOfStreamException)
                {
                    continue;
                }
                if (startup) return await AskPasswordAsync(stream);
            }
        }

        private static async Task<bool> StartupAsync(NetworkStream stream)
        {
            while (true)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(await ReadAsync(stream, 4));
                var body = await ReadAsync(stream, length - 4);
                var code = BinaryPrimitives.ReadInt32BigEndian(body);
                if (code is 80877103 or 80877104) await stream.WriteAsync("N"u8.ToArray()); // TLS or GSS encryption: no
                else return code >> 16 == 3;
            }
        }

        private async Task<(bool, string?)> AskPasswordAsync(NetworkStream stream)
        {
            var startup = true;
            await stream.WriteAsync(new byte[] { (byte)'R', 0, 0, 0, 8, 0, 0, 0, 3 }); // AuthenticationCleartextPassword
            _asked.TrySetResult();
            try
            {
                var type = (await ReadAsync(stream, 1))[0];
                var length = BinaryPrimitives.ReadInt32BigEndian(await ReadAsync(stream, 4));
                var body = await ReadAsync(stream, length - 4);
                if (type == (byte)'p') _password = Encoding.UTF8.GetString(body).TrimEnd('\0');
                var error = Encoding.UTF8.GetBytes("SFATAL\0C28P01\0Mrefused by the test server\0\0");
                var frame = new byte[5 + error.Length];
                frame[0] = (byte)'E';
                BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), 4 + error.Length);
                error.CopyTo(frame, 5);
                await stream.WriteAsync(frame);
            }
            catch (Exception ex) when (ex is IOException or EndOfStreamException)
            {
                // The client hung up at the password request.
            }
            return (startup, _password);
        }

        private static async Task<byte[]> ReadAsync(NetworkStream stream, int count)
        {
            var buffer = new byte[count];
            await stream.ReadExactlyAsync(buffer);
            return buffer;
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try { await Session.WaitAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { /* already reported by the test */ }
        }
    }
}
