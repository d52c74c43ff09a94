namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// The upstream would not take us as a client: a refused greeting, EHLO, STARTTLS or AUTH, or an
/// extension we need that it does not offer. About the provider, never about the message: every
/// recipient is deferred, and <see cref="Class"/> tells the circuit what happened.
/// </summary>
internal sealed class SmtpRelayException(OutcomeClass outcome, UpstreamReply reply) : Exception(reply.ToString())
{
    public OutcomeClass Class { get; } = outcome;

    public UpstreamReply Reply { get; } = reply;

    /// <summary>A refusal before any mail transaction, classified as the provider's trouble.</summary>
    public static SmtpRelayException Refused(SmtpServerReply reply)
    {
        var upstream = reply.ToUpstreamReply();
        var outcome = SmtpReplyClassifier.Classify(upstream) switch
        {
            // A 5xx here refuses us, not a message: e.g. "554 5.7.1 client host blocked".
            OutcomeClass.MessageRejected => OutcomeClass.ProviderMisconfigured,
            OutcomeClass.Delivered => OutcomeClass.Transient,
            var other => other,
        };
        return new SmtpRelayException(outcome, upstream);
    }

    /// <summary>The configuration asks for something the server does not offer.</summary>
    public static SmtpRelayException Misconfigured(string why) =>
        new(OutcomeClass.ProviderMisconfigured, new UpstreamReply(0, "4.7.0", why));
}
