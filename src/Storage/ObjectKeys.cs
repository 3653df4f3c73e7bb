namespace Orleans.Loki.Storage;

/// <summary>
/// Key rules shared by every store, so that a key valid on one backend is valid on all: '/'-separated
/// non-empty segments of at most 255 UTF-8 bytes (a common file-name limit), at most 1024 characters in total
/// (the Azure blob-name limit), no segment starting or ending with '.' (no "." / "..", no hidden files, no names
/// Windows or Azure mangle), and no control characters or characters Windows forbids in file names.
/// </summary>
public static class ObjectKeys
{
    /// <summary>Azure Blob Storage's limit on blob names.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>The file-name length limit of ext4, XFS, NTFS and APFS.</summary>
    public const int MaxSegmentBytes = 255;

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> follows the rules above.</summary>
    public static void Validate(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (TryGetError(key, isPrefix: false) is { } error)
        {
            throw new ArgumentException($"Invalid object key '{key}': {error}.", paramName);
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="prefix"/> is empty or a valid key, optionally
    /// ending with '/', whose last segment may be partial.
    /// </summary>
    public static void ValidatePrefix(string prefix, string paramName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        if (prefix.Length > 0 && TryGetError(prefix, isPrefix: true) is { } error)
        {
            throw new ArgumentException($"Invalid key prefix '{prefix}': {error}.", paramName);
        }
    }

    /// <summary>Whether <paramref name="key"/> follows the rules (used to ignore foreign files when listing).</summary>
    public static bool IsValid(string key) => TryGetError(key, isPrefix: false) is null;

    private static string? TryGetError(string key, bool isPrefix)
    {
        if (key.Length == 0)
        {
            return "empty";
        }

        if (key.Length > MaxKeyLength)
        {
            return $"longer than {MaxKeyLength} characters";
        }

        if (key[0] == '/')
        {
            return "absolute (starts with '/')";
        }

        var body = isPrefix && key[^1] == '/' ? key[..^1] : key;
        foreach (var range in body.AsSpan().Split('/'))
        {
            var segment = body.AsSpan(range);
            if (segment.IsEmpty)
            {
                return "empty segment";
            }

            if (segment[0] == '.' || (segment[^1] == '.' && !(isPrefix && range.End.Value == body.Length)))
            {
                return $"segment '{segment}' starts or ends with '.'";
            }

            if (System.Text.Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
            {
                return $"segment longer than {MaxSegmentBytes} UTF-8 bytes";
            }

            foreach (var c in segment)
            {
                if (char.IsControl(c) || c is '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|')
                {
                    return $"character U+{(int)c:X4} is not allowed";
                }
            }
        }

        return null;
    }
}
