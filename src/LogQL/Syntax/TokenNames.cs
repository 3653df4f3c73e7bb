namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Keyword and operator spellings, and the names used in error messages.</summary>
internal static class TokenNames
{
    /// <summary>Operators and keywords that are tokens wherever they appear (matched case-insensitively).</summary>
    public static readonly Dictionary<string, TokenKind> Tokens = new(StringComparer.Ordinal)
    {
        [","] = TokenKind.Comma, ["."] = TokenKind.Dot, ["{"] = TokenKind.OpenBrace, ["}"] = TokenKind.CloseBrace,
        ["="] = TokenKind.Eq, ["!="] = TokenKind.Neq, ["=~"] = TokenKind.Re, ["!~"] = TokenKind.Nre, ["!>"] = TokenKind.Npa,
        ["|="] = TokenKind.PipeExact, ["|~"] = TokenKind.PipeMatch, ["|>"] = TokenKind.PipePattern, ["|"] = TokenKind.Pipe,
        ["unwrap"] = TokenKind.Unwrap, ["("] = TokenKind.OpenParen, [")"] = TokenKind.CloseParen,
        ["by"] = TokenKind.By, ["without"] = TokenKind.Without, ["bool"] = TokenKind.Bool,
        ["["] = TokenKind.OpenBracket, ["]"] = TokenKind.CloseBracket, ["label_replace"] = TokenKind.LabelReplace,
        ["offset"] = TokenKind.Offset, ["on"] = TokenKind.On, ["ignoring"] = TokenKind.Ignoring,
        ["group_left"] = TokenKind.GroupLeft, ["group_right"] = TokenKind.GroupRight,
        ["or"] = TokenKind.Or, ["and"] = TokenKind.And, ["unless"] = TokenKind.Unless,
        ["+"] = TokenKind.Add, ["-"] = TokenKind.Sub, ["*"] = TokenKind.Mul, ["/"] = TokenKind.Div, ["%"] = TokenKind.Mod, ["^"] = TokenKind.Pow,
        ["=="] = TokenKind.CmpEq, [">"] = TokenKind.Gt, [">="] = TokenKind.Gte, ["<"] = TokenKind.Lt, ["<="] = TokenKind.Lte,
        ["json"] = TokenKind.Json, ["regexp"] = TokenKind.Regexp, ["logfmt"] = TokenKind.Logfmt, ["unpack"] = TokenKind.Unpack,
        ["pattern"] = TokenKind.Pattern, ["label_format"] = TokenKind.LabelFmt, ["line_format"] = TokenKind.LineFmt,
        ["ip"] = TokenKind.Ip, ["decolorize"] = TokenKind.Decolorize, ["drop"] = TokenKind.Drop, ["keep"] = TokenKind.Keep,
    };

    /// <summary>Words that are function tokens only when a '(' (or by/without followed by '(') comes next.</summary>
    public static readonly Dictionary<string, (TokenKind Kind, string Name)> Functions = new(StringComparer.Ordinal)
    {
        ["rate"] = (TokenKind.Rate, "RATE"), ["rate_counter"] = (TokenKind.RateCounter, "RATE_COUNTER"),
        ["count_over_time"] = (TokenKind.CountOverTime, "COUNT_OVER_TIME"), ["bytes_rate"] = (TokenKind.BytesRate, "BYTES_RATE"),
        ["bytes_over_time"] = (TokenKind.BytesOverTime, "BYTES_OVER_TIME"), ["avg_over_time"] = (TokenKind.AvgOverTime, "AVG_OVER_TIME"),
        ["sum_over_time"] = (TokenKind.SumOverTime, "SUM_OVER_TIME"), ["min_over_time"] = (TokenKind.MinOverTime, "MIN_OVER_TIME"),
        ["max_over_time"] = (TokenKind.MaxOverTime, "MAX_OVER_TIME"), ["stdvar_over_time"] = (TokenKind.StdvarOverTime, "STDVAR_OVER_TIME"),
        ["stddev_over_time"] = (TokenKind.StddevOverTime, "STDDEV_OVER_TIME"), ["quantile_over_time"] = (TokenKind.QuantileOverTime, "QUANTILE_OVER_TIME"),
        ["first_over_time"] = (TokenKind.FirstOverTime, "FIRST_OVER_TIME"), ["last_over_time"] = (TokenKind.LastOverTime, "LAST_OVER_TIME"),
        ["absent_over_time"] = (TokenKind.AbsentOverTime, "ABSENT_OVER_TIME"), ["vector"] = (TokenKind.Vector, "VECTOR"),
        ["sum"] = (TokenKind.Sum, "SUM"), ["avg"] = (TokenKind.Avg, "AVG"), ["max"] = (TokenKind.Max, "MAX"), ["min"] = (TokenKind.Min, "MIN"),
        ["count"] = (TokenKind.Count, "COUNT"), ["stddev"] = (TokenKind.Stddev, "STDDEV"), ["stdvar"] = (TokenKind.Stdvar, "STDVAR"),
        ["bottomk"] = (TokenKind.Bottomk, "BOTTOMK"), ["topk"] = (TokenKind.Topk, "TOPK"), ["approx_topk"] = (TokenKind.ApproxTopk, "APPROX_TOPK"), ["sort"] = (TokenKind.Sort, "SORT"),
        ["sort_desc"] = (TokenKind.SortDesc, "SORT_DESC"), ["label_replace"] = (TokenKind.LabelReplace, "label_replace"),
        ["bytes"] = (TokenKind.BytesConv, "BYTES_CONV"), ["duration"] = (TokenKind.DurationConv, "DURATION_CONV"),
        ["duration_seconds"] = (TokenKind.DurationSecondsConv, "DURATION_SECONDS_CONV"), ["ip"] = (TokenKind.Ip, "ip"),
    };

    private static readonly Dictionary<TokenKind, string> s_names = Build();

    private static Dictionary<TokenKind, string> Build()
    {
        var d = new Dictionary<TokenKind, string>();
        foreach (var (_, (kind, name)) in Functions)
        {
            d[kind] = name;
        }
        // The parser reports operator/keyword tokens by their spelling.
        foreach (var (text, kind) in Tokens)
        {
            d[kind] = text;
        }
        return d;
    }

    public static string Name(TokenKind kind) => s_names.TryGetValue(kind, out var n) ? n : kind.ToString().ToUpperInvariant();
}
