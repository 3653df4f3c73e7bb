using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Loki.Model;

/// <summary>
/// A label matcher (<c>name="v"</c>, <c>name=~"re"</c> …) with its RE2 regex compiled once through <see cref="GoRegex"/>,
/// anchored at both ends with <c>.</c> matching newlines (Prometheus semantics): the one matcher of stream selectors,
/// label filters, <c>keep</c>/<c>drop</c>, tails, the index and retention and delete selectors.
/// </summary>
public sealed class LabelMatcher : IEquatable<LabelMatcher>
{
    private readonly Regex? _regex;

    private LabelMatcher(LabelMatchType type, string name, string value, Regex? regex)
    {
        Type = type;
        Name = name;
        Value = value;
        _regex = regex;
    }

    /// <summary>The operator.</summary>
    public LabelMatchType Type { get; }

    /// <summary>The label name.</summary>
    public string Name { get; }

    /// <summary>The value or regular expression (RE2 syntax, as written).</summary>
    public string Value { get; }

    /// <summary>Creates a matcher; false with an error text if the regex is invalid.</summary>
    public static bool TryCreate(LabelMatchType type, string name, string value, out LabelMatcher? matcher, out string? error)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        matcher = null;
        error = null;
        Regex? regex = null;
        if (type is LabelMatchType.Regexp or LabelMatchType.NotRegexp && !GoRegex.TryCompileAnchored(value, out regex, out error))
        {
            return false;
        }
        matcher = new LabelMatcher(type, name, value, regex);
        return true;
    }

    /// <summary>Creates a matcher, throwing <see cref="ArgumentException"/> on an invalid regex (for code-built matchers).</summary>
    public static LabelMatcher Create(LabelMatchType type, string name, string value) =>
        TryCreate(type, name, value, out var m, out var error) ? m! : throw new ArgumentException(error, nameof(value));

    /// <summary>An equality matcher.</summary>
    public static LabelMatcher Equal(string name, string value) =>
        new(LabelMatchType.Equal, name ?? throw new ArgumentNullException(nameof(name)), value ?? throw new ArgumentNullException(nameof(value)), null);

    /// <summary>Whether <paramref name="value"/> (an absent label is "") satisfies the matcher.</summary>
    public bool Matches(string value)
    {
        switch (Type)
        {
            case LabelMatchType.Equal:
                return string.Equals(value, Value, StringComparison.Ordinal);
            case LabelMatchType.NotEqual:
                return !string.Equals(value, Value, StringComparison.Ordinal);
            default:
                bool m;
                try
                {
                    m = _regex!.IsMatch(value);
                }
                catch (RegexMatchTimeoutException)
                {
                    // only backtracking fallbacks time out; a runaway match counts as no match
                    m = false;
                }
                return Type == LabelMatchType.Regexp ? m : !m;
        }
    }

    /// <summary>The operator text.</summary>
    public static string OperatorText(LabelMatchType type) => type switch
    {
        LabelMatchType.Equal => "=",
        LabelMatchType.NotEqual => "!=",
        LabelMatchType.Regexp => "=~",
        _ => "!~",
    };

    /// <summary>Whether every matcher accepts <paramref name="labels"/> (an absent label is "").</summary>
    public static bool MatchesAll(IReadOnlyList<LabelMatcher> matchers, KeyValuePair<string, string>[] labels)
    {
        for (var i = 0; i < matchers.Count; i++)
        {
            var m = matchers[i];
            var value = "";
            foreach (var (name, v) in labels)
            {
                if (string.Equals(name, m.Name, StringComparison.Ordinal))
                {
                    value = v;
                    break;
                }
            }
            if (!m.Matches(value))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The operator of <paramref name="text"/> (<c>= != =~ !~</c>); false for anything else.</summary>
    public static bool TryParseOperator(string text, out LabelMatchType type)
    {
        switch (text)
        {
            case "=":
                type = LabelMatchType.Equal;
                return true;
            case "!=":
                type = LabelMatchType.NotEqual;
                return true;
            case "=~":
                type = LabelMatchType.Regexp;
                return true;
            case "!~":
                type = LabelMatchType.NotRegexp;
                return true;
            default:
                type = default;
                return false;
        }
    }

    /// <summary>Appends <c>name op "value"</c>.</summary>
    public void WriteTo(StringBuilder sb)
    {
        sb.Append(Name).Append(OperatorText(Type));
        GoQuote.Append(sb, Value);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(LabelMatcher? other) =>
        other is not null && other.Type == Type && string.Equals(other.Name, Name, StringComparison.Ordinal)
        && string.Equals(other.Value, Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is LabelMatcher m && Equals(m);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Name, Value);
}
