using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Push.Otlp;

namespace Orleans.Loki.Push.Tests;

public sealed class OtlpDecodeTests
{
    private static KeyValue Attribute(string key, AnyValue value) => new() { Key = key, Value = value };

    private static AnyValue Text(string value) => new() { StringValue = value };

    private static ExportLogsServiceRequest Request()
    {
        var resource = new Resource();
        resource.Attributes.Add(Attribute("service.name", Text("checkout")));
        resource.Attributes.Add(Attribute("k8s.namespace.name", Text("prod")));
        resource.Attributes.Add(Attribute("host.name", Text("node-1")));
        var record = new LogRecord
        {
            TimeUnixNano = 1_700_000_000_000_000_000,
            ObservedTimeUnixNano = 1_700_000_000_000_000_500,
            SeverityNumber = 13,
            SeverityText = "WARN",
            Body = Text("disk almost full"),
            TraceId = ByteString.CopyFrom(Convert.FromHexString("0102030405060708090a0b0c0d0e0f10")),
            SpanId = ByteString.CopyFrom(Convert.FromHexString("a1a2a3a4a5a6a7a8")),
            Flags = 1,
        };
        record.Attributes.Add(Attribute("http.status_code", new AnyValue { IntValue = 507 }));
        var nested = new KeyValueList();
        nested.Values.Add(Attribute("id", Text("u-1")));
        record.Attributes.Add(Attribute("user", new AnyValue { KvlistValue = nested }));
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "io.app", Version = "2.0" } };
        scope.LogRecords.Add(record);
        var resourceLogs = new ResourceLogs { Resource = resource };
        resourceLogs.ScopeLogs.Add(scope);
        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(resourceLogs);
        return request;
    }

    [Fact]
    public void Protobuf_MapsIndexLabelsMetadataAndIds_InLokiOrder()
    {
        var result = PushDecoder.Decode(Request().ToByteArray(), "application/x-protobuf", null, PushFormat.OtlpProtobuf, 1 << 20);

        Assert.True(result.Success, result.Error);
        var stream = Assert.Single(result.Streams);
        Assert.Equal("{k8s_namespace_name=\"prod\", service_name=\"checkout\"}", stream.Labels);
        var entry = Assert.Single(stream.Entries);
        Assert.Equal(1_700_000_000_000_000_000, entry.TimestampNs);
        Assert.Equal("disk almost full", TestData.Line(entry));
        Assert.Equal(
            [
                new("http_status_code", "507"),
                new("user_id", "u-1"),
                new("observed_timestamp", "1700000000000000500"),
                new("severity_number", "13"),
                new("severity_text", "WARN"),
                new("flags", "1"),
                new("trace_id", "0102030405060708090a0b0c0d0e0f10"),
                new("span_id", "a1a2a3a4a5a6a7a8"),
                new("host_name", "node-1"),
                new("scope_name", "io.app"),
                new("scope_version", "2.0"),
            ],
            entry.Metadata!);
    }

    [Fact]
    public void Gzipped_Protobuf_IsInflated()
    {
        var body = TestData.Gzip(Request().ToByteArray());

        var result = PushDecoder.Decode(body, "application/x-protobuf", "gzip", PushFormat.OtlpProtobuf, 1 << 20);

        Assert.True(result.Success, result.Error);
        Assert.Single(result.Streams[0].Entries);
    }

    [Fact]
    public void Json_HexIdsEnumSeverityAndSnakeCase_AreUnderstood()
    {
        const string json = """
            {"resource_logs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
              "scopeLogs":[{"logRecords":[{"observedTimeUnixNano":1700000000000000000,"severityNumber":"SEVERITY_NUMBER_ERROR",
                "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
                "body":{"kvlistValue":{"values":[{"key":"b","value":{"doubleValue":0.5}},{"key":"a","value":{"arrayValue":{"values":[{"intValue":"7"},{"boolValue":true},{"stringValue":"<x>"}]}}}]}}}]}]}]}
            """;

        var result = PushDecoder.Decode(Encoding.UTF8.GetBytes(json), "application/json", null, PushFormat.OtlpJson, 1 << 20);

        Assert.True(result.Success, result.Error);
        var entry = Assert.Single(Assert.Single(result.Streams).Entries);
        Assert.Equal(1_700_000_000_000_000_000, entry.TimestampNs);
        Assert.Equal("{\"a\":[7,true,\"\\u003cx\\u003e\"],\"b\":0.5}", TestData.Line(entry));
        Assert.Equal(
            [new("severity_number", "17"), new("trace_id", "5b8efff798038103d269b633813fc60c"), new("span_id", "eee19b7ec3c1b174")],
            entry.Metadata!);
    }

    [Fact]
    public void RecordWithoutAnyTimestamp_UsesTheClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        const string json = """{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"x"}}]}]}]}""";

        var result = PushDecoder.Decode(Encoding.UTF8.GetBytes(json), "application/json", null, PushFormat.OtlpJson, 1 << 20, time);

        var entry = Assert.Single(result.Streams[0].Entries);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000, entry.TimestampNs);
        Assert.Equal("{}", result.Streams[0].Labels);
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(100.0, "100")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(-2.25, "-2.25")]
    [InlineData(123456789012345680000.0, "123456789012345680000")]
    public void DoubleBody_IsFormattedLikeGo(double value, string expected)
    {
        var request = new ExportLogsServiceRequest();
        var scope = new ScopeLogs();
        scope.LogRecords.Add(new LogRecord { TimeUnixNano = 1, Body = new AnyValue { DoubleValue = value } });
        var resourceLogs = new ResourceLogs();
        resourceLogs.ScopeLogs.Add(scope);
        request.ResourceLogs.Add(resourceLogs);

        var result = PushDecoder.Decode(request.ToByteArray(), "application/x-protobuf", null, PushFormat.OtlpProtobuf, 1 << 20);

        Assert.Equal(expected, TestData.Line(result.Streams[0].Entries[0]));
    }

    [Fact]
    public void UnsupportedContentType_Is415()
    {
        var result = PushDecoder.Decode("x"u8, "text/plain", null, PushFormat.OtlpJson, 1 << 20);

        Assert.Equal(415, result.StatusCode);
        Assert.Equal("content type: text/plain is not supported", result.Error);
    }

    [Fact]
    public void GarbageProtobuf_Is400()
    {
        var result = PushDecoder.Decode(new byte[] { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01 }, "application/x-protobuf", null, PushFormat.OtlpProtobuf, 1 << 20);

        Assert.Equal(400, result.StatusCode);
        Assert.StartsWith("proto: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void DeeplyNestedAnyValue_Is400NotStackOverflow()
    {
        var depth = 5_000;
        var json = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":"
            + string.Concat(Enumerable.Repeat("{\"arrayValue\":{\"values\":[", depth))
            + string.Concat(Enumerable.Repeat("]}}", depth)) + "}]}]}]}";

        var result = PushDecoder.Decode(Encoding.UTF8.GetBytes(json), "application/json", null, PushFormat.OtlpJson, 1 << 24);

        Assert.Equal(400, result.StatusCode);
        Assert.StartsWith("invalid OTLP JSON request: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TimestampAboveInt64_Is400()
    {
        const string json = """{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"18446744073709551615"}]}]}]}""";

        var result = PushDecoder.Decode(Encoding.UTF8.GetBytes(json), "application/json", null, PushFormat.OtlpJson, 1 << 20);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal("invalid timestamp: 18446744073709551615 nanoseconds is beyond the year 2262", result.Error);
    }
}
