using Orleans.Loki.Storage;

namespace Orleans.Loki.Silo.Configuration;

public static partial class ConfigLoader
{
    /// <summary>
    /// Loki's <c>storage_config.aws.s3</c> URL, <c>s3://key:secret@host/bucket</c> (key and secret URL-escaped): a host
    /// with a dot or a port is the endpoint, a bare host is the region; the path names the bucket(s), the first is used.
    /// Keys set separately win where both are given.
    /// </summary>
    private static S3Settings S3Url(S3Settings current, string key, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new ConfigException($"{key}: '{value}' is not an s3://[key:secret@]host/bucket URL");
        }
        var result = current;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            result = result with
            {
                AccessKeyId = result.AccessKeyId.Length > 0 ? result.AccessKeyId : Uri.UnescapeDataString(parts[0]),
                SecretAccessKey = result.SecretAccessKey.Length > 0 || parts.Length < 2 ? result.SecretAccessKey : Uri.UnescapeDataString(parts[1]),
            };
        }
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        if (host.Contains('.', StringComparison.Ordinal) || host.Contains(':', StringComparison.Ordinal))
        {
            result = result.Endpoint.Length > 0 ? result : result with { Endpoint = host };
        }
        else
        {
            result = result with { Region = host };
        }
        var bucket = uri.AbsolutePath.Trim('/').Split(',')[0].Trim();
        return bucket.Length == 0 || result.BucketName.Length > 0 ? result : result with { BucketName = Uri.UnescapeDataString(bucket) };
    }
}
