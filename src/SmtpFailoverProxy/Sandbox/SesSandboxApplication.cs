using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Hosting;

namespace SmtpFailoverProxy.Sandbox;

/// <summary>
/// A local SES-compatible endpoint (SESv2 SendEmail with raw content, GetAccount) for users without an
/// AWS account and for the tests: checks SigV4 with its own test credentials, stores each message as an
/// .eml file (unless <see cref="SesSandboxOptions.Store"/> is off), and can be told to fail the way SES
/// fails (<see cref="SesSandboxMode"/>).
/// Control API: <c>GET /_sandbox</c>, <c>PUT /_sandbox/mode</c> <c>{"Mode":"Suspended","Count":null,"LatencyMs":0}</c>,
/// <c>GET /_sandbox/messages</c>, <c>DELETE /_sandbox/messages</c>.
/// </summary>
internal static class SesSandboxApplication
{
    // AWS's JSON is PascalCase: names are written as declared.
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, PropertyNamingPolicy = null };

    public static WebApplication Build(IReadOnlyList<string> args)
    {
        var builder = WebApplication.CreateSlimBuilder(WebHostOptions.Create());
        builder.Configuration.Sources.Clear();
        var rest = args.ToList();
        // "--port N" is the short form of --SesSandbox:Listen=127.0.0.1:N.
        var port = rest.IndexOf("--port");
        if (port >= 0 && port + 1 < rest.Count)
        {
            rest.Add($"--SesSandbox:Listen=127.0.0.1:{rest[port + 1]}");
            rest.RemoveRange(port, 2);
        }

        ProxyConfiguration.AddSources(builder.Configuration, rest);
        var options = ProxySettings.BindSection<SesSandboxOptions>(builder.Configuration.GetSection("SesSandbox"));
        options.Validate();
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(options.ListenEndPoint);
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });

        var app = builder.Build();
        Map(app, options, new SesSandboxState());
        return app;
    }

    internal static void Map(IEndpointRouteBuilder app, SesSandboxOptions options, SesSandboxState state)
    {
        var store = options.Store ? new SesSandboxStore(options.Path) : null;

        app.MapPost("/v2/email/outbound-emails", async (HttpContext context) =>
        {
            var body = await ReadBodyAsync(context.Request);
            if (SigV4Verifier.Verify(context.Request, body, options.AccessKeyId, options.SecretAccessKey) is { } refused)
            {
                return Error(403, refused.Code, refused.Message);
            }

            var mode = state.Take();
            if (mode == SesSandboxMode.Slow && state.LatencyMs > 0) await Task.Delay(state.LatencyMs, context.RequestAborted);
            if (SendError(mode) is { } error) return error;

            SendEmailRequest? request;
            try
            {
                request = JsonSerializer.Deserialize<SendEmailRequest>(body, Json);
            }
            catch (JsonException ex)
            {
                return Error(400, "BadRequestException", $"Malformed JSON: {ex.Message}");
            }

            if (request?.Content?.Raw?.Data is not { Length: > 0 } raw) return Error(400, "BadRequestException", "The sandbox takes Content.Raw only.");
            var recipients = (request.Destination?.ToAddresses ?? []).Concat(request.Destination?.CcAddresses ?? []).Concat(request.Destination?.BccAddresses ?? []).ToArray();
            if (recipients.Length == 0) return Error(400, "BadRequestException", "Missing final '@domain' / no recipients in Destination.");

            var receivedAt = TimeProvider.System.GetUtcNow();
            var messageId = $"{Guid.NewGuid():N}-sandbox";
            store?.Save(messageId, raw, JsonSerializer.SerializeToUtf8Bytes(new
            {
                MessageId = messageId,
                Recipients = recipients,
                request.FromEmailAddress,
                request.ConfigurationSetName,
                EmailTags = request.EmailTags ?? [],
                Size = raw.Length,
                ReceivedAt = receivedAt,
            }));
            state.CountSent();
            return Results.Json(new { MessageId = messageId }, Json);
        });

        app.MapGet("/v2/email/account", async (HttpContext context) =>
        {
            var body = await ReadBodyAsync(context.Request);
            if (SigV4Verifier.Verify(context.Request, body, options.AccessKeyId, options.SecretAccessKey) is { } refused)
            {
                return Error(403, refused.Code, refused.Message);
            }

            var mode = state.Peek();
            if (mode == SesSandboxMode.ServerError) return SendError(mode)!;
            return Results.Json(new
            {
                SendingEnabled = mode is not (SesSandboxMode.Suspended or SesSandboxMode.Paused or SesSandboxMode.SendingDisabled),
                EnforcementStatus = mode == SesSandboxMode.Suspended ? "SHUTDOWN" : "HEALTHY",
                ProductionAccessEnabled = true,
                SendQuota = new { options.Max24HourSend, options.MaxSendRate, SentLast24Hours = (double)state.Sent },
                DedicatedIpAutoWarmupEnabled = false,
            }, Json);
        });

        app.MapGet("/_sandbox", () => Results.Json(state.Describe(), Json));
        app.MapPut("/_sandbox/mode", async (HttpContext context) =>
        {
            var change = await JsonSerializer.DeserializeAsync<ModeChange>(context.Request.Body, Json);
            if (change is null || !Enum.TryParse<SesSandboxMode>(change.Mode, ignoreCase: true, out var mode))
            {
                return Results.BadRequest(new { message = $"Mode must be one of: {string.Join(", ", Enum.GetNames<SesSandboxMode>())}" });
            }

            state.Set(mode, change.Count, change.LatencyMs ?? 0);
            return Results.Json(state.Describe(), Json);
        });
        app.MapGet("/_sandbox/messages", () => Results.Text(store?.EnvelopesJson() ?? "[]", "application/json"));
        app.MapDelete("/_sandbox/messages", () =>
        {
            store?.Clear();
            return Results.NoContent();
        });
    }

    /// <summary>The error SES would answer SendEmail with in this mode; null when the send goes through.</summary>
    private static IResult? SendError(SesSandboxMode mode) => mode switch
    {
        SesSandboxMode.Suspended => Error(400, "AccountSuspendedException", "Your account has been suspended and can no longer send email."),
        SesSandboxMode.Paused or SesSandboxMode.SendingDisabled => Error(400, "SendingPausedException", "Sending is paused for this account."),
        SesSandboxMode.Throttled => Error(429, "TooManyRequestsException", "Maximum sending rate exceeded."),
        SesSandboxMode.QuotaExhausted => Error(400, "LimitExceededException", "Daily message quota exceeded."),
        SesSandboxMode.ServerError => Error(500, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure."),
        SesSandboxMode.MessageRejected => Error(400, "MessageRejected", "Message rejected: the content of this message is not accepted."),
        SesSandboxMode.Unverified => Error(400, "MessageRejected", "Email address is not verified. The following identities failed the check in region SANDBOX: sender@example.com"),
        _ => null,
    };

    // AWS REST-JSON error: the type in x-amzn-ErrorType, the text in the body.
    private static IResult Error(int status, string code, string message) => new AwsErrorResult(status, code, message);

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private sealed class AwsErrorResult(int status, string code, string message) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.Headers["x-amzn-ErrorType"] = $"{code}:http://internal.amazon.com/coral/com.amazonaws.sesv2/";
            return httpContext.Response.WriteAsJsonAsync(new { message }, Json);
        }
    }

    private sealed record ModeChange(string Mode, int? Count, int? LatencyMs);

    private sealed record SendEmailRequest(string? FromEmailAddress, Destination? Destination, Content? Content, string? ConfigurationSetName, List<EmailTag>? EmailTags);

    private sealed record Destination(List<string>? ToAddresses, List<string>? CcAddresses, List<string>? BccAddresses);

    private sealed record Content(RawContent? Raw);

    private sealed record RawContent(byte[]? Data);

    private sealed record EmailTag(string Name, string Value);
}
