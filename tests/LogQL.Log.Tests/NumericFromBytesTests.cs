using System.Text;

namespace Orleans.Loki.LogQL.Log.Tests;

/// <summary>
/// Numeric label filters over parsed values read plain unsigned integers straight from the parsed bytes; every value
/// must compare exactly as the float path compares the same text as a stream label, errors included.
/// </summary>
public sealed class NumericFromBytesTests
{
    public static TheoryData<string> Values =>
    [
        "500", "499", "0", "0500", "00000", "9", "10", "999999999999999", "1000000000000000", "9999999999999999999",
        "-500", "+500", "500.0", "5e2", "0x1f4", "500ms", "5xx", "", "1_000", " 500", "５００", "Inf", "NaN",
    ];

    [Theory]
    [MemberData(nameof(Values))]
    public void A_parsed_value_compares_as_the_same_text_does_as_a_string(string value)
    {
        foreach (var op in Enum.GetValues<ComparisonOperator>())
        {
            foreach (var against in new[] { 0.0, 499.5, 500, 501, 1e15, 1e16 })
            {
                var viaString = Run.Stages("line", [LabelFilter.Numeric("status", op, against)], Run.Labels(("app", "a"), ("status", value)));
                var viaBytes = Run.Stages($"status=\"{value}\"", [new LogfmtParser(keepEmpty: true), LabelFilter.Numeric("status", op, against)], Run.Labels(("app", "a")));
                Assert.True(viaString.Kept == viaBytes.Kept, $"{value} {op} {against}: string {viaString.Kept}, bytes {viaBytes.Kept}");
                // The same error (or none) on both paths; the parsed label is a parsed one, the other a stream one.
                Assert.Equal(viaString.Labels.Replace("app=\"a\", ", "", StringComparison.Ordinal), viaBytes.Labels.Replace("app=\"a\", ", "", StringComparison.Ordinal));
            }
        }
    }

    [Theory]
    [InlineData("404", 400, true)]
    [InlineData("399", 400, false)]
    [InlineData("0400", 400, true)]
    [InlineData("123456789012345", 123456789012344, true)]
    [InlineData("123456789012345", 123456789012345.5, false)]
    public void Digits_compare_by_value(string value, double against, bool kept) =>
        Assert.Equal(kept, Run.Stages($"level=info status={value} path=/x", [new LogfmtParser(), LabelFilter.Numeric("status", ComparisonOperator.GreaterOrEqual, against)]).Kept);

    [Fact]
    public void Plain_digits_are_compared_without_making_the_value_a_string()
    {
        var pipeline = new Pipeline([new LogfmtParser(), LabelFilter.Numeric("status", ComparisonOperator.GreaterOrEqual, 500)]).ForStream(Run.Labels(("app", "a")));
        ReadOnlySpan<byte> line = "status=503 msg=x"u8;
        Assert.True(pipeline.Process(0, ref line, null));
        // Still bytes after the filter: no stage read it as a string.
        Assert.True(pipeline.Labels.TryGetPendingUtf8("status", out var utf8));
        Assert.Equal("503", Encoding.UTF8.GetString(utf8));
        // Reading it makes the string, after which the bytes path steps aside.
        Assert.True(pipeline.Labels.TryGet("status", out var s));
        Assert.Equal("503", s);
        Assert.False(pipeline.Labels.TryGetPendingUtf8("status", out _));
    }

    [Theory]
    [InlineData("1", true, 1L)]
    [InlineData("007", true, 7L)]
    [InlineData("999999999999999", true, 999_999_999_999_999L)]
    [InlineData("1000000000000000", false, 0L)]
    [InlineData("", false, 0L)]
    [InlineData("1a", false, 0L)]
    [InlineData("/", false, 0L)]
    [InlineData(":", false, 0L)]
    [InlineData("-1", false, 0L)]
    public void Only_1_to_15_ascii_digits_take_the_fast_path(string text, bool taken, long expected)
    {
        Assert.Equal(taken, LabelFilter.TryParseDigits(Encoding.UTF8.GetBytes(text), out var value));
        if (taken)
        {
            Assert.Equal(expected, value);
        }
    }
}
