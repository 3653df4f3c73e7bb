using Orleans.Loki.Gateway.Detected;

namespace Orleans.Loki.Gateway.Tests;

public sealed class DetectedLabelsTests
{
    [Theory]
    [InlineData("app", new[] { "api", "web" }, true)]
    [InlineData("request_id", new[] { "1", "2", "3" }, false)]
    [InlineData("trace", new[] { "6f1c1f8e-6c0a-4d65-9d1e-8f5b1c2a3d4e", "1b4e28ba-2fa1-11d2-883f-0016d3cca427" }, false)]
    [InlineData("flag", new[] { "0", "1" }, true)]
    [InlineData("shard", new[] { "0", "1", "2" }, false)]
    [InlineData("mixed", new[] { "1", "abc", "2" }, true)]
    [InlineData("pod", new[] { "1", "2", "3" }, true)]
    [InlineData("namespace", new string[0], false)]
    [InlineData("empty", new string[0], false)]
    public void Keep_AppliesLokisRules(string label, string[] values, bool expected)
    {
        Assert.Equal(expected, DetectedLabels.Keep(label, values));
    }
}
