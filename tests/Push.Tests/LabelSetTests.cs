using Orleans.Loki.Model;

namespace Orleans.Loki.Push.Tests;

public sealed class LabelSetTests
{
    private static KeyValuePair<string, string>[] Parse(string text)
    {
        Assert.True(LabelSet.TryParse(text, out var labels, out var error), error);
        return labels;
    }

    [Fact]
    public void TryParse_ReadsPairsInInputOrder()
    {
        Assert.Equal([new("level", "info"), new("app", "winston-demo")], Parse("{level=\"info\",app=\"winston-demo\"}"));
    }

    [Fact]
    public void TryParse_AcceptsWhitespaceTrailingCommaAndAllQuoteStyles()
    {
        Assert.Equal([new("a", "1"), new("b", "2"), new("c", "x\\ny")], Parse(" { a = \"1\" , b='2', c=`x\\ny`, } "));
    }

    [Fact]
    public void TryParse_EmptySet_IsValid()
    {
        Assert.Empty(Parse("{}"));
    }

    [Fact]
    public void TryParse_UnescapesGoEscapes()
    {
        var labels = Parse("{a=\"q\\\"uote\\\\ \\n\\t \\u00e9 \\x41 \\101 \\U0001F600\"}");

        Assert.Equal("q\"uote\\ \n\t é A A 😀", labels[0].Value);
    }

    [Fact]
    public void TryParse_KeepsDuplicatesAndEmptyValues_ForValidationToJudge()
    {
        Assert.Equal([new("a", "1"), new("a", "2"), new("b", "")], Parse("{a=\"1\", a=\"2\", b=\"\"}"));
    }

    [Theory]
    [InlineData("", "1:1: parse error: unexpected end of input")]
    [InlineData("a=\"b\"", "1:1: parse error: unexpected identifier, expected \"{\"")]
    [InlineData("{a=\"b\"", "1:7: parse error: unexpected end of input inside braces")]
    [InlineData("{a=b}", "1:4: parse error: unexpected identifier in label matching, expected string")]
    [InlineData("{1a=\"b\"}", "1:2: parse error: unexpected \"1\" in label set, expected identifier or \"}\"")]
    [InlineData("{a.b=\"c\"}", "1:3: parse error: unexpected \".\" in label matching, expected \"=\"")]
    [InlineData("{a=\"b\" c=\"d\"}", "1:8: parse error: unexpected identifier in label set, expected \",\" or \"}\"")]
    [InlineData("{a=\"b\\q\"}", "1:8: parse error: unknown escape sequence")]
    [InlineData("{a=\"b}", "1:4: parse error: unterminated quoted string")]
    [InlineData("{a=\"b\"} x", "1:9: parse error: unexpected identifier, expected end of input")]
    public void TryParse_BadSyntax_ReturnsPrometheusStyleError(string text, string expected)
    {
        Assert.False(LabelSet.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Format_RendersSortedPairsLikePrometheus()
    {
        Assert.Equal("{a=\"1\", b=\"2\"}", LabelSet.Format(new KeyValuePair<string, string>[] { new("a", "1"), new("b", "2") }));
        Assert.Equal("{}", LabelSet.Format([]));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("q\"b\\", "\"q\\\"b\\\\\"")]
    [InlineData("nl\ntab\tcr\r", "\"nl\\ntab\\tcr\\r\"")]
    [InlineData("bell\a\u0001\u007f", "\"bell\\a\\x01\\x7f\"")]
    [InlineData("é😀", "\"é😀\"")]
    [InlineData("nbsp\u00a0zw\u200b", "\"nbsp\\u00a0zw\\u200b\"")]
    [InlineData("\U000E0001", "\"\\U000e0001\"")]
    public void Format_QuotesValuesLikeGoStrconvQuote(string value, string quoted)
    {
        Assert.Equal("{a=" + quoted + "}", LabelSet.Format(new KeyValuePair<string, string>[] { new("a", value) }));
    }

    [Fact]
    public void ParseThenFormat_RoundTripsEscapedValues()
    {
        var original = "{a=\"x\\\"y\\n\\u00a0\"}";
        var labels = Parse(original);

        Assert.Equal(original, LabelSet.Canonicalize(labels));
    }

    [Fact]
    public void Canonicalize_DifferentOrder_GivesSameStringAndFingerprint()
    {
        var first = LabelSet.Canonicalize(Parse("{b=\"1\",a=\"2\"}"));
        var second = LabelSet.Canonicalize(Parse("{a=\"2\", b=\"1\"}"));

        Assert.Equal("{a=\"2\", b=\"1\"}", first);
        Assert.Equal(first, second);
        Assert.Equal(LabelSet.Fingerprint(first), LabelSet.Fingerprint(second));
    }

    [Fact]
    public void Fingerprint_IsStableXxHash64OfUtf8()
    {
        // XxHash64 with seed 0 of the UTF-8 bytes; pinned so stored stream ids never change silently.
        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64("{a=\"2\", b=\"1\"}"u8), LabelSet.Fingerprint("{a=\"2\", b=\"1\"}"));
        Assert.Equal(0xEF46DB3751D8E999UL, LabelSet.Fingerprint(string.Empty));
        Assert.NotEqual(LabelSet.Fingerprint("{a=\"1\"}"), LabelSet.Fingerprint("{a=\"2\"}"));
    }

    [Fact]
    public void Fingerprint_LongLabelSet_UsesRentedBuffer()
    {
        var labels = "{a=\"" + new string('x', 5000) + "\"}";

        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(labels)), LabelSet.Fingerprint(labels));
    }
}
