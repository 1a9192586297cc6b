using System.Net;
using System.Text;
using AirbyteOps.Api;
using AirbyteOps.Compose;

namespace AirbyteOps.Tests.Api;

/// <summary>Health in both eras' shapes, and the proxy's basic auth (0.40 on) taken from the compose project's env file.</summary>
public sealed class HealthAndBasicAuthTests
{
    private sealed class Recorder(string body) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }

    [Theory]
    [InlineData("{\"db\": true}", true)]          // 0.7 – 0.39
    [InlineData("{\"db\": false}", false)]
    [InlineData("{\"available\": true}", true)]   // HealthCheckRead of 0.40 on (db-era/v0.50.33/config-api.yaml)
    [InlineData("{\"available\": false}", false)]
    [InlineData("{}", false)]
    public async Task Health_is_ready_in_either_eras_shape_and_only_when_it_says_so(string body, bool healthy)
    {
        using var handler = new Recorder(body);
        using var api = new AirbyteApi(new Uri("http://127.0.0.1:1/api/v1"), handler: handler);
        Assert.Equal(healthy, await api.IsHealthyAsync());
    }

    [Fact]
    public async Task Credentials_go_out_as_a_basic_authorization_header_on_every_request()
    {
        using var handler = new Recorder("{\"available\": true}");
        using var api = new AirbyteApi(new Uri("http://127.0.0.1:1/api/v1"), handler: handler, basicAuth: new NetworkCredential("airbyte", "s3cret:x"));
        await api.IsHealthyAsync();
        await api.PostAsync("workspaces/list", new { });
        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r =>
        {
            Assert.Equal("Basic", r.Headers.Authorization?.Scheme);
            Assert.Equal("airbyte:s3cret:x", Encoding.UTF8.GetString(Convert.FromBase64String(r.Headers.Authorization!.Parameter!)));
        });
    }

    [Theory]
    [InlineData("BASIC_AUTH_USERNAME=airbyte\nBASIC_AUTH_PASSWORD=password\n", "airbyte", "password")]
    [InlineData("BASIC_AUTH_USERNAME=\nBASIC_AUTH_PASSWORD=\n", null, null)]   // "Set to empty values to disable basic auth"
    [InlineData("VERSION=0.7.1-alpha\n", null, null)]                         // no proxy before 0.40
    public void The_compose_files_env_gives_the_proxys_credentials(string env, string? user, string? password)
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "docker-compose.yaml"), "services:\n  server:\n    image: x\n");
        File.WriteAllText(Path.Combine(folder.Path, ".env"), env);
        var credentials = ComposeFile.Load(Path.Combine(folder.Path, "docker-compose.yaml"), "p", environment: _ => null).BasicAuth;
        Assert.Equal(user, credentials?.UserName);
        Assert.Equal(password, credentials?.Password);
    }
}
