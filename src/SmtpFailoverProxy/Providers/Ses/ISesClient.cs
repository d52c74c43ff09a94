namespace SmtpFailoverProxy.Providers.Ses;

/// <summary>
/// The two SESv2 operations the proxy needs. Narrow on purpose: an adapter over the official
/// <c>AWSSDK.SimpleEmailV2</c> client (mapping its exceptions onto <see cref="SesError"/>) can replace
/// <see cref="SesV2Client"/> in one class.
/// </summary>
public interface ISesClient
{
    /// <summary>SESv2 SendEmail with raw content. Errors are returned, not thrown.</summary>
    Task<SesSendResult> SendRawEmailAsync(SesRawEmail email, CancellationToken cancellationToken);

    /// <summary>SESv2 GetAccount. Errors are returned, not thrown.</summary>
    Task<SesAccountResult> GetAccountAsync(CancellationToken cancellationToken);
}
