namespace Orleans.Loki.Storage;

/// <summary>One object of an <see cref="IObjectStore"/> listing.</summary>
public sealed record ObjectInfo(string Key, long Size, DateTimeOffset LastModified);
