using Orleans.Loki.Gateway.Tenancy;

namespace Orleans.Loki.Server.Tests;

/// <summary>Tenant ids follow Loki's (dskit's) rules and texts, checked in dskit's order.</summary>
public sealed class TenantIdTests
{
    [Theory]
    [InlineData("team-a")]
    [InlineData("A_b.c!d*e'f(g)h")]
    [InlineData("0")]
    [InlineData("...")]
    public void Validate_AllowedIds_Pass(string tenant) => Assert.Null(TenantResolver.Validate(tenant));

    [Theory]
    [InlineData("forward/slash", "tenant ID 'forward/slash' contains unsupported character '/'")]
    [InlineData("back\\slash", "tenant ID 'back\\slash' contains unsupported character '\\'")]
    [InlineData("a b", "tenant ID 'a b' contains unsupported character ' '")]
    [InlineData("a:b", "tenant ID 'a:b' contains unsupported character ':'")]
    [InlineData(".", "tenant ID is '.' or '..'")]
    [InlineData("..", "tenant ID is '.' or '..'")]
    [InlineData("", "tenant ID is empty")]
    public void Validate_RejectedIds_GetLokisText(string tenant, string expected) => Assert.Equal(expected, TenantResolver.Validate(tenant));

    [Fact]
    public void Validate_151Characters_IsTooLong_150IsFine()
    {
        Assert.Null(TenantResolver.Validate(new string('a', 150)));
        Assert.Equal("tenant ID is too long: max 150 characters", TenantResolver.Validate(new string('a', 151)));
    }

    [Fact]
    public void Validate_LongIdWithBadCharacter_ReportsTheCharacterFirst()
    {
        var tenant = new string('a', 200) + "/";
        Assert.Equal($"tenant ID '{tenant}' contains unsupported character '/'", TenantResolver.Validate(tenant));
    }
}
