using System.Net;
using System.Security.Cryptography;
using System.Text;
using Orleans.Loki.Silo.Configuration;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Server.Tests;

/// <summary>A server with built-in auth: two bearer tokens, one stored as a digest, and a basic-auth user.</summary>
public sealed class AuthServerFixture : IAsyncLifetime
{
    public static readonly string HashedToken = Convert.ToHexString(SHA256.HashData("admin-token"u8));

    public LokiTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await LokiTestServer.StartAsync($"""
        auth_enabled: true
        auth:
          tokens:
            - token: writer-token
              tenants_write: [team-a]
            - token: reader-token
              tenants_read: [team-a, team-b]
            - token_sha256: {HashedToken}
              tenants_write: ["*"]
              tenants_read: ["*"]
          basic:
            - username: grafana
              password: "pa:ss word"
              tenants_read: [team-b]
        """);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Built-in auth: 401 without valid credentials, 403 for tenants not granted, on every tenant route.</summary>
public sealed class AuthTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>
{
    private LokiTestServer Server => fixture.Server;

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static string QueryUrl(long now) =>
        $"/loki/api/v1/query_range?query={Uri.EscapeDataString("{app=\"auth\"}")}&start={now - 1_000_000_000}&end={now + 1_000_000_000}";

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Bearer writer-toke")]
    [InlineData("Bearer ")]
    [InlineData("Token writer-token")]
    [InlineData("Basic bm90LWJhc2U2NA===")]
    [InlineData("Basic Z3JhZmFuYTpwYTpzcw==")]
    public async Task MissingOrInvalidCredentials_Are401WithAChallenge_OnPushAndRead(string? authorization)
    {
        var now = TestClock.NowNs;
        var (push, pushBody, pushResponse) = await Server.PushAsync("{\"app\":\"auth\"}", [(now, "x")], tenant: "team-a", authorization: authorization);
        Assert.Equal(HttpStatusCode.Unauthorized, push);
        Assert.Equal("unauthorized", pushBody);
        Assert.Equal(["Bearer realm=\"loki\"", "Basic realm=\"loki\", charset=\"UTF-8\""], pushResponse.Headers.WwwAuthenticate.Select(h => h.ToString()));

        var (read, _, _) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/labels", tenant: "team-a", authorization: authorization);
        Assert.Equal(HttpStatusCode.Unauthorized, read);
        var (tail, _, _) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/tail?query=%7Bapp%3D%22auth%22%7D", tenant: "team-a", authorization: authorization);
        Assert.Equal(HttpStatusCode.Unauthorized, tail);
    }

    [Fact]
    public async Task WriteToken_PushesItsTenant_WithoutOrgIdHeader_ButMayNotReadOrWriteOthers()
    {
        var now = TestClock.NowNs;
        var (push, pushBody, _) = await Server.PushAsync("{\"app\":\"auth\"}", [(now, "from writer")], authorization: "Bearer writer-token");
        Assert.True(push == HttpStatusCode.NoContent, pushBody);

        var (other, otherBody, _) = await Server.PushAsync("{\"app\":\"auth\"}", [(now, "x")], tenant: "team-b", authorization: "Bearer writer-token");
        Assert.Equal(HttpStatusCode.Forbidden, other);
        Assert.Equal("the credential is not granted write access to tenant 'team-b'", otherBody);

        var (read, readBody, _) = await Server.SendAsync(HttpMethod.Get, QueryUrl(now), tenant: "team-a", authorization: "Bearer writer-token");
        Assert.Equal(HttpStatusCode.Forbidden, read);
        Assert.Equal("the credential is not granted read access to tenant 'team-a'", readBody);

        var (readerQuery, readerBody, _) = await Server.SendAsync(HttpMethod.Get, QueryUrl(now), tenant: "team-a", authorization: "Bearer reader-token");
        Assert.Equal(HttpStatusCode.OK, readerQuery);
        Assert.Contains("from writer", readerBody);
    }

    [Fact]
    public async Task ReadToken_MultiTenantHeader_NeedsEveryTenantGranted()
    {
        var (denied, deniedBody, _) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/labels", tenant: "team-a|team-c", authorization: "Bearer reader-token");
        Assert.Equal(HttpStatusCode.Forbidden, denied);
        Assert.Equal("the credential is not granted read access to tenant 'team-c'", deniedBody);

        var (allowed, _, _) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/labels", tenant: "team-a", authorization: "Bearer reader-token");
        Assert.Equal(HttpStatusCode.OK, allowed);

        var (push, pushBody, _) = await Server.PushAsync("{\"app\":\"auth\"}", [(TestClock.NowNs, "x")], tenant: "team-a", authorization: "Bearer reader-token");
        Assert.Equal(HttpStatusCode.Forbidden, push);
        Assert.Equal("the credential is not granted write access to tenant 'team-a'", pushBody);
    }

    [Fact]
    public async Task BasicUser_AndDigestToken_AreAccepted_WithTheirGrants()
    {
        var (basic, _, _) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/labels", tenant: "team-b", authorization: Basic("grafana", "pa:ss word"));
        Assert.Equal(HttpStatusCode.OK, basic);
        var (basicOther, _, _) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/labels", tenant: "team-a", authorization: Basic("grafana", "pa:ss word"));
        Assert.Equal(HttpStatusCode.Forbidden, basicOther);
        var (wrongPassword, _, _) = await Server.SendAsync(HttpMethod.Get, "/loki/api/v1/labels", tenant: "team-b", authorization: Basic("grafana", "pa:ss"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword);

        var (admin, adminBody, _) = await Server.PushAsync("{\"app\":\"auth\"}", [(TestClock.NowNs, "x")], tenant: "anyone", authorization: "Bearer admin-token");
        Assert.True(admin == HttpStatusCode.NoContent, adminBody);
        var (adminNoTenant, adminNoTenantBody, _) = await Server.PushAsync("{\"app\":\"auth\"}", [(TestClock.NowNs, "x")], authorization: "Bearer admin-token");
        Assert.Equal(HttpStatusCode.Unauthorized, adminNoTenant);
        Assert.Equal("no org id", adminNoTenantBody.Trim());
    }

    [Fact]
    public async Task OpsEndpoints_NeedNoCredentials_AndConfigNeverShowsSecrets()
    {
        Assert.Equal(HttpStatusCode.OK, (await Server.SendAsync(HttpMethod.Get, "/ready")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Server.SendAsync(HttpMethod.Get, "/metrics")).Status);
        var (status, config, _) = await Server.SendAsync(HttpMethod.Get, "/config");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"CredentialCount\": 4", config);
        Assert.DoesNotContain("writer-token", config);
        Assert.DoesNotContain("pa:ss", config);
        Assert.DoesNotContain(AuthServerFixture.HashedToken, config, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("auth:\n  tokens:\n    - token: t\n", "config key 'auth.tokens[0]' grants no tenant: set tenants_write and/or tenants_read")]
    [InlineData("auth:\n  tokens:\n    - token: t\n      token_sha256: ab\n      tenants_read: [a]\n", "config key 'auth.tokens[0]' needs exactly one of token or token_sha256")]
    [InlineData("auth:\n  tokens:\n    - token_sha256: abcd\n      tenants_read: [a]\n", "config key 'auth.tokens[0].token_sha256' must be 64 hex digits")]
    [InlineData("auth:\n  tokens:\n    - token: t\n      tenants_read: [bad/tenant]\n", "config key 'auth.tokens[0].tenants_read': tenant ID 'bad/tenant' contains unsupported character '/'")]
    [InlineData("auth:\n  basic:\n    - username: a:b\n      password: p\n      tenants_read: [a]\n", "config key 'auth.basic[0]' needs a username (without ':') and a non-empty password")]
    [InlineData("auth:\n  basic:\n    - token: t\n      tenants_read: [a]\n", "config key 'auth.basic[0].token' is not supported")]
    public void AuthConfig_Mistakes_StopStartUpWithTheKey(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyYaml(new LokiSettings(), yaml, "test"));
        Assert.Equal(expected, e.Message);
    }
}
