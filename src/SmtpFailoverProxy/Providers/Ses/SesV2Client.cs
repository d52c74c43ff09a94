using System.Net;
using System.Text.Json;
using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Providers.Ses;

/// <summary>
/// A small SESv2 REST client: <c>POST /v2/email/outbound-emails</c> and <c>GET /v2/email/account</c>,
/// signed with SigV4, JSON with System.Text.Json, over a pooled <see cref="HttpClient"/>.
/// </summary>
internal sealed class SesV2Client(HttpClient http, SesProviderOptions options, SesCredentials credentials, TimeProvider timeProvider) : ISesClient
{
    private const string Service = "ses";

    public async Task<SesSendResult> SendRawEmailAsync(SesRawEmail email, CancellationToken cancellationToken)
    {
        var (prefix, suffix) = BuildSendEmailJson(email);
        using var body = new SendEmailContent(prefix, suffix, email.OpenRawMessage, email.Length);
        var (status, json, error) = await CallAsync(HttpMethod.Post, "/v2/email/outbound-emails", body, cancellationToken);
        if (error is not null) return new SesSendResult(null, error);
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("MessageId", out var id) && id.GetString() is { Length: > 0 } messageId)
        {
            return new SesSendResult(messageId, null);
        }

        return new SesSendResult(null, new SesError(status, "MalformedResponse", "SendEmail answered without a MessageId"));
    }

    public async Task<SesAccountResult> GetAccountAsync(CancellationToken cancellationToken)
    {
        var (status, json, error) = await CallAsync(HttpMethod.Get, "/v2/email/account", null, cancellationToken);
        if (error is not null) return new SesAccountResult(null, error);
        try
        {
            var quota = json.GetProperty("SendQuota");
            return new SesAccountResult(new SesAccount(
                json.GetProperty("SendingEnabled").GetBoolean(),
                json.TryGetProperty("EnforcementStatus", out var enforcement) ? enforcement.GetString() ?? "" : "",
                json.TryGetProperty("ProductionAccessEnabled", out var production) && production.GetBoolean(),
                quota.GetProperty("Max24HourSend").GetDouble(),
                quota.GetProperty("MaxSendRate").GetDouble(),
                quota.GetProperty("SentLast24Hours").GetDouble()), null);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            return new SesAccountResult(null, new SesError(status, "MalformedResponse", "GetAccount answer lacks SendingEnabled or SendQuota"));
        }
    }

    /// <summary>
    /// The JSON of SendEmail around the message, split where its base64 goes: everything up to the opening
    /// quote of <c>Content.Raw.Data</c>, and everything from its closing quote.
    /// </summary>
    internal (byte[] Prefix, byte[] Suffix) BuildSendEmailJson(SesRawEmail email)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (!string.IsNullOrEmpty(options.FromEmailAddress ?? email.FromEmailAddress))
            {
                writer.WriteString("FromEmailAddress", options.FromEmailAddress ?? email.FromEmailAddress);
            }

            writer.WriteStartObject("Destination");
            writer.WriteStartArray("ToAddresses");
            foreach (var recipient in email.Recipients) writer.WriteStringValue(recipient);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartObject("Content");
            writer.WriteStartObject("Raw");
            writer.WriteString("Data", string.Empty);
            writer.WriteEndObject();
            writer.WriteEndObject();
            if (!string.IsNullOrEmpty(options.ConfigurationSetName)) writer.WriteString("ConfigurationSetName", options.ConfigurationSetName);
            if (options.EmailTags.Count > 0)
            {
                writer.WriteStartArray("EmailTags");
                foreach (var (name, value) in options.EmailTags)
                {
                    writer.WriteStartObject();
                    writer.WriteString("Name", name);
                    writer.WriteString("Value", value);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        // Quotes inside the strings before it are escaped (\"), so this is the Data property itself.
        var json = buffer.ToArray();
        var data = json.AsSpan().IndexOf("\"Data\":\"\""u8) + "\"Data\":\""u8.Length;
        return (json[..data], json[data..]);
    }

    private async Task<(int Status, JsonElement Json, SesError? Error)> CallAsync(HttpMethod method, string path, SendEmailContent? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(options.Endpoint, path)) { Content = body };
        try
        {
            var signingCredentials = await credentials.GetAsync();
            var payloadHash = body is null ? SigV4Signer.HashHex([]) : await body.ComputeSha256Async(cancellationToken);
            SigV4Signer.Sign(request, payloadHash, signingCredentials, options.Region, Service, timeProvider.GetUtcNow());
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonClientException or InvalidOperationException)
        {
            return (0, default, new SesError(0, "MissingCredentials", ex.Message));
        }

        using var timeout = new CancellationTokenSource(options.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await http.SendAsync(request, linked.Token);
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token);
            var json = ParseJson(bytes);
            if (response.IsSuccessStatusCode) return ((int)response.StatusCode, json, null);
            return ((int)response.StatusCode, json, ReadError(response, json));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (0, default, new SesError(0, "Timeout", $"No answer from {options.Endpoint.Host} within {options.Timeout}"));
        }
        catch (HttpRequestException ex)
        {
            return (0, default, new SesError(0, "ConnectionFailure", $"{options.Endpoint.Host}: {ex.Message}"));
        }
    }

    private static JsonElement ParseJson(byte[] bytes)
    {
        try
        {
            return bytes.Length == 0 ? default : JsonDocument.Parse(bytes).RootElement;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>
    /// AWS REST-JSON errors: the type in the <c>x-amzn-ErrorType</c> header ("Type:uri") or in the body's
    /// <c>__type</c>/<c>code</c> ("namespace#Type"), the text in <c>message</c>/<c>Message</c>.
    /// </summary>
    internal static SesError ReadError(HttpResponseMessage response, JsonElement json)
    {
        string? code = null;
        if (response.Headers.TryGetValues("x-amzn-ErrorType", out var types)) code = types.First().Split(':')[0];
        if (json.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in new[] { "__type", "code", "Code", "type" })
            {
                if (code is null && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) code = value.GetString()!.Split('#')[^1];
            }
        }

        string message = "";
        if (json.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in new[] { "message", "Message", "detail" })
            {
                if (json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    message = message.Length == 0 ? value.GetString()! : $"{message} ({value.GetString()})";
                }
            }
        }

        code ??= response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => "TooManyRequestsException",
            HttpStatusCode.Forbidden => "AccessDeniedException",
            HttpStatusCode.NotFound => "NotFoundException",
            >= HttpStatusCode.InternalServerError => "InternalFailure",
            _ => "BadRequestException",
        };
        return new SesError((int)response.StatusCode, code, message.Length == 0 ? response.ReasonPhrase ?? "" : message);
    }
}
