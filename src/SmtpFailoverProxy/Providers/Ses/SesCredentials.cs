using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Providers.Ses;

/// <summary>
/// Where the SES client's credentials come from: the configured key pair, or AWSSDK.Core's default chain
/// (environment, shared profile, SSO, web identity, ECS, EC2 IMDSv2), which also refreshes temporary ones.
/// </summary>
internal sealed class SesCredentials(SesProviderOptions options)
{
    private readonly AWSCredentials? _configured = string.IsNullOrEmpty(options.AccessKeyId)
        ? null
        : new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey);

    private AWSCredentials? _resolved;

    public async Task<ImmutableCredentials> GetAsync()
    {
        var source = _configured ?? (_resolved ??= await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync());
        return await source.GetCredentialsAsync();
    }
}
