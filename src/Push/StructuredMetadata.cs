namespace Orleans.Loki.Push;

/// <summary>Loki's clean-up of structured metadata on ingestion.</summary>
internal static class StructuredMetadata
{
    /// <summary>
    /// Names are normalised like Prometheus' OTLP translator (invalid characters become '_'), and U+FFFD
    /// (what invalid UTF-8 decodes to) is removed from values, as Loki's distributor does.
    /// Returns the input array when nothing changes.
    /// </summary>
    public static KeyValuePair<string, string>[]? Sanitize(KeyValuePair<string, string>[]? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        KeyValuePair<string, string>[]? copy = null;
        for (var i = 0; i < metadata.Length; i++)
        {
            var name = OtlpValue.NormalizeLabel(metadata[i].Key);
            var value = metadata[i].Value.Contains('\uFFFD', StringComparison.Ordinal) ? metadata[i].Value.Replace("\uFFFD", string.Empty, StringComparison.Ordinal) : metadata[i].Value;
            if (!ReferenceEquals(name, metadata[i].Key) || !ReferenceEquals(value, metadata[i].Value))
            {
                copy ??= (KeyValuePair<string, string>[])metadata.Clone();
                copy[i] = new KeyValuePair<string, string>(name, value);
            }
        }

        return copy ?? metadata;
    }

    public static bool Contains(KeyValuePair<string, string>[]? metadata, string name)
    {
        if (metadata is null)
        {
            return false;
        }

        foreach (var pair in metadata)
        {
            if (pair.Key == name)
            {
                return true;
            }
        }

        return false;
    }
}
