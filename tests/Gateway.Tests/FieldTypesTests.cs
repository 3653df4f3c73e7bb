using Orleans.Loki.Gateway.Detected;

namespace Orleans.Loki.Gateway.Tests;

public sealed class FieldTypesTests
{
    [Theory]
    [InlineData("42", "int")]
    [InlineData("-7", "int")]
    [InlineData("+7", "int")]
    [InlineData("3.14", "float")]
    [InlineData("1e5", "float")]
    [InlineData(".5", "float")]
    [InlineData("NaN", "float")]
    [InlineData("-Inf", "float")]
    [InlineData("99999999999999999999", "float")]
    [InlineData("true", "boolean")]
    [InlineData("False", "boolean")]
    [InlineData("t", "boolean")]
    [InlineData("15ms", "duration")]
    [InlineData("1h30m", "duration")]
    [InlineData("-1.5s", "duration")]
    [InlineData("5KB", "bytes")]
    [InlineData("10 MiB", "bytes")]
    [InlineData("5k", "bytes")]
    [InlineData("1,000", "bytes")]
    [InlineData("5d", "string")]
    [InlineData("hello", "string")]
    [InlineData(" 42", "string")]
    [InlineData("", "string")]
    public void Determine_FollowsGosParsersInLokisOrder(string value, string expected)
    {
        Assert.Equal(expected, FieldTypes.Determine(value));
    }

    [Theory]
    [InlineData("5KB", "5.0kB")]
    [InlineData("1024b", "1.0kB")]
    [InlineData("7b", "7B")]
    [InlineData("10 MiB", "10MB")]
    [InlineData("5m", "5.0MB")]
    public void FormatBytesValue_PrintsHumanizedBytesWithoutTheSpace(string value, string expected)
    {
        Assert.Equal(expected, FieldTypes.FormatBytesValue(value));
    }

    [Theory]
    [InlineData("200")]
    [InlineData("15ms")]
    [InlineData("hello")]
    public void FormatBytesValue_LeavesOtherValuesAlone(string value)
    {
        Assert.Null(FieldTypes.FormatBytesValue(value));
    }
}
