using Google.Protobuf;
using Orleans.Loki.Model;
using Orleans.Loki.Push.Otlp;

namespace Orleans.Loki.Push;

/// <summary>Decodes the OTLP/HTTP protobuf body (<c>ExportLogsServiceRequest</c>, not snappy compressed).</summary>
internal static class OtlpProtobufDecoder
{
    public static PushDecodeResult Decode(ReadOnlySpan<byte> body, TimeProvider time)
    {
        ExportLogsServiceRequest request;
        try
        {
            // The parser's default recursion limit (100) bounds nested AnyValue arrays and maps.
            request = ExportLogsServiceRequest.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            return PushDecodeResult.BadRequest(LokiErrors.ProtoError(e.Message));
        }

        return OtlpMapper.Map(request, time);
    }
}
