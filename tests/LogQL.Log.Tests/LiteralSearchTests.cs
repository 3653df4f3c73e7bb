using System.Text;

namespace Orleans.Loki.LogQL.Log.Tests;

/// <summary>The vectorised literal search finds exactly what a plain scan finds, at every position and line length.</summary>
public sealed class LiteralSearchTests
{
    private static int Reference(string haystack, string needle, bool ignoreCase) =>
        haystack.IndexOf(needle, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    [Theory]
    [InlineData("error", false)]
    [InlineData("error", true)]
    [InlineData("E", true)]
    [InlineData("zq7needlex42", false)]
    [InlineData("Cache Miss", true)]
    [InlineData("a@[`{", true)]
    public void IndexOf_AgreesWithOrdinalSearch(string needle, bool ignoreCase)
    {
        var random = new Random(needle.Length * 31 + (ignoreCase ? 1 : 0));
        // Letters of both cases, the needle's bytes, and the neighbours of '@'/'[' whose 0x20 bit differs from a letter's.
        var alphabet = "eErRoO@`[{ " + needle;
        var search = new LiteralSearch(Encoding.ASCII.GetBytes(ignoreCase ? needle.ToLowerInvariant() : needle), ignoreCase);
        for (var round = 0; round < 2000; round++)
        {
            var chars = Enumerable.Range(0, random.Next(0, 150)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray();
            if (chars.Length >= needle.Length && random.Next(4) == 0)
            {
                // Plant the needle (in random letter case when case-insensitive) at a random spot, often near the end.
                var at = random.Next(2) == 0 ? chars.Length - needle.Length : random.Next(chars.Length - needle.Length + 1);
                for (var i = 0; i < needle.Length; i++)
                {
                    chars[at + i] = ignoreCase && random.Next(2) == 0 ? char.ToUpperInvariant(needle[i]) : needle[i];
                }
            }
            var haystack = new string(chars);
            Assert.Equal(Reference(haystack, needle, ignoreCase), search.IndexOf(Encoding.ASCII.GetBytes(haystack)));
        }
    }

    [Fact]
    public void IgnoreCase_DoesNotFoldNonLetters()
    {
        // '@' (0x40) and '`' (0x60) differ only in the 0x20 bit, like 'A' and 'a', but are different characters.
        var search = new LiteralSearch("x@y"u8.ToArray(), ignoreCase: true);
        Assert.Equal(-1, search.IndexOf("x`y"u8));
        Assert.Equal(0, search.IndexOf("X@Y"u8));
    }

    [Fact]
    public void IgnoreCase_FindsTheLiteralInLongLinesInEitherCase()
    {
        var line = new string('a', 1000) + "ErRoR" + new string('b', 7);
        Assert.True(LineFilter.Contains("error", ignoreCase: true).Matches(Encoding.ASCII.GetBytes(line)));
        Assert.True(Run.Regex("(?i)ERROR").Matches(Encoding.ASCII.GetBytes(line)));
        Assert.False(LineFilter.Contains("errors", ignoreCase: true).Matches(Encoding.ASCII.GetBytes(line)));
    }
}
