namespace SmtpFailoverProxy.Inbound;

/// <summary>
/// The protocol as one table: for each session state, which commands are accepted and the state that
/// follows when the command succeeds. A command missing from a state's row gets that row's 503 reply.
/// </summary>
/// <remarks>
/// RFC 5321 4.1.4 fixes the order: EHLO/HELO, then MAIL, one or more RCPT, DATA. RSET, NOOP, HELP, VRFY
/// and QUIT are allowed anywhere; a new EHLO/HELO resets the transaction.
/// </remarks>
internal static class SmtpStateTable
{
    private static readonly Dictionary<SmtpVerb, SmtpSessionState?> Anywhere = new()
    {
        [SmtpVerb.Ehlo] = SmtpSessionState.Greeted,
        [SmtpVerb.Helo] = SmtpSessionState.Greeted,
        [SmtpVerb.Noop] = null,
        [SmtpVerb.Help] = null,
        [SmtpVerb.Vrfy] = null,
        [SmtpVerb.Quit] = null,
        [SmtpVerb.Rset] = null,
        // Known but not offered: answered 502 wherever they come.
        [SmtpVerb.Expn] = null,
        [SmtpVerb.Bdat] = null,
    };

    private static readonly Dictionary<SmtpSessionState, (Dictionary<SmtpVerb, SmtpSessionState?> Allowed, SmtpReply OutOfSequence)> Rows = new()
    {
        [SmtpSessionState.Connected] = (new(Anywhere), SmtpReply.NeedHelo),
        // STARTTLS and AUTH only between transactions, after EHLO (RFC 3207 4, RFC 4954 4).
        [SmtpSessionState.Greeted] = (new(Anywhere)
        {
            [SmtpVerb.Mail] = SmtpSessionState.HasSender,
            [SmtpVerb.StartTls] = null,
            [SmtpVerb.Auth] = null,
        }, SmtpReply.NeedMail),
        [SmtpSessionState.HasSender] = (new(Anywhere) { [SmtpVerb.Rcpt] = SmtpSessionState.HasRecipients }, SmtpReply.NeedRecipient),
        [SmtpSessionState.HasRecipients] = (new(Anywhere)
        {
            [SmtpVerb.Rcpt] = SmtpSessionState.HasRecipients,
            [SmtpVerb.Data] = SmtpSessionState.Greeted,
        }, SmtpReply.BadSequence),
    };

    /// <summary>
    /// Looks up <paramref name="verb"/> in the row of <paramref name="state"/>.
    /// </summary>
    /// <param name="state">The session's state now.</param>
    /// <param name="verb">The command received.</param>
    /// <param name="next">On success of the command, the state that follows; <c>null</c> when it stays.</param>
    /// <param name="rejection">When the command is out of sequence, the reply to send.</param>
    /// <returns>True when the command may run in this state.</returns>
    public static bool TryGetTransition(SmtpSessionState state, SmtpVerb verb, out SmtpSessionState? next, out SmtpReply? rejection)
    {
        var (allowed, outOfSequence) = Rows[state];
        if (allowed.TryGetValue(verb, out next))
        {
            rejection = null;
            return true;
        }

        rejection = verb == SmtpVerb.Mail && state is SmtpSessionState.HasSender or SmtpSessionState.HasRecipients
            ? SmtpReply.NestedMail
            : outOfSequence;
        return false;
    }
}
