using Orleans.Loki.Model;

namespace Orleans.Loki.Push.Tests;

/// <summary>The one Go quoting: strconv.Quote's output for each class of rune, and Unquote of every literal form.</summary>
public sealed class GoQuoteTests
{
    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("\a\b\f\n\r\t\v", "\"\\a\\b\\f\\n\\r\\t\\v\"")]
    [InlineData("\u0001\u007f", "\"\\x01\\x7f\"")]
    [InlineData("héllo 日本", "\"héllo 日本\"")]              // letters of any script are printable
    [InlineData("\u00a0", "\"\\u00a0\"")]                      // no-break space: a space separator other than ' '
    [InlineData("\u200b", "\"\\u200b\"")]                      // zero width space: format character
    [InlineData("\u2028", "\"\\u2028\"")]                      // line separator
    [InlineData("\ue000", "\"\\ue000\"")]                      // private use
    [InlineData("😀", "\"😀\"")]                                // symbol outside the BMP
    [InlineData("\U000e0001", "\"\\U000e0001\"")]              // language tag: format character outside the BMP
    public void Quote_EscapesExactlyWhatGoEscapes(string value, string quoted)
    {
        Assert.Equal(quoted, GoQuote.Quote(value));
        Assert.True(GoQuote.TryUnquote(quoted, out var back));
        Assert.Equal(value, back);
    }

    [Theory]
    [InlineData("`raw \\n stays`", "raw \\n stays")]
    [InlineData("'x'", "x")]
    [InlineData("\"\\u00e9\\x41\\101\"", "éAA")]
    [InlineData("\"\\xc3\\xa9\"", "é")]                        // \x escapes are bytes, decoded as UTF-8 together
    public void TryUnquote_ReadsEveryLiteralForm(string literal, string value)
    {
        Assert.True(GoQuote.TryUnquote(literal, out var actual));
        Assert.Equal(value, actual);
    }

    [Theory]
    [InlineData("\"unterminated")]
    [InlineData("\"a\"b\"")]
    [InlineData("\"new\nline\"")]
    [InlineData("\"\\q\"")]
    [InlineData("\"\\ud800\"")]
    [InlineData("'ab'")]
    [InlineData("`a`b`")]
    public void TryUnquote_RejectsWhatGoRejects(string literal)
    {
        Assert.False(GoQuote.TryUnquote(literal, out _));
    }
}
