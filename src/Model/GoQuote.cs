using System.Globalization;
using System.Text;

namespace Orleans.Loki.Model;

/// <summary>Quotes strings exactly like Go's <c>strconv.Quote</c>, which Loki uses to render label values.</summary>
public static class GoQuote
{
    private const string Hex = "0123456789abcdef";

    public static void Append(StringBuilder builder, string value)
    {
        builder.Append('"');
        if (IsPlainAscii(value))
        {
            builder.Append(value);
        }
        else
        {
            AppendEscaped(builder, value);
        }

        builder.Append('"');
    }

    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        Append(builder, value);
        return builder.ToString();
    }

    private static bool IsPlainAscii(string value)
    {
        foreach (var c in value)
        {
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendEscaped(StringBuilder builder, string value)
    {
        var index = 0;
        while (index < value.Length)
        {
            // A lone surrogate cannot come from valid UTF-8; Go renders such input as U+FFFD.
            if (Rune.DecodeFromUtf16(value.AsSpan(index), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
                consumed = 1;
            }

            index += consumed;
            AppendRune(builder, rune);
        }
    }

    private static void AppendRune(StringBuilder builder, Rune rune)
    {
        var r = rune.Value;
        if (r == '"' || r == '\\')
        {
            builder.Append('\\').Append((char)r);
            return;
        }

        if (IsPrint(rune))
        {
            builder.Append(rune.ToString());
            return;
        }

        switch (r)
        {
            case '\a': builder.Append("\\a"); return;
            case '\b': builder.Append("\\b"); return;
            case '\f': builder.Append("\\f"); return;
            case '\n': builder.Append("\\n"); return;
            case '\r': builder.Append("\\r"); return;
            case '\t': builder.Append("\\t"); return;
            case '\v': builder.Append("\\v"); return;
        }

        if (r < ' ' || r == 0x7f)
        {
            builder.Append("\\x").Append(Hex[r >> 4]).Append(Hex[r & 0xF]);
        }
        else if (r < 0x10000)
        {
            builder.Append("\\u");
            AppendHex(builder, r, 4);
        }
        else
        {
            builder.Append("\\U");
            AppendHex(builder, r, 8);
        }
    }

    private static void AppendHex(StringBuilder builder, int value, int digits)
    {
        for (var shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        {
            builder.Append(Hex[(value >> shift) & 0xF]);
        }
    }

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation
                or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                or UnicodeCategory.OtherSymbol => true,
            _ => false,
        };
    }
}
