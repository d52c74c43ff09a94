using MimeKit;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Routing;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// The secondary provider's From policy: a From that is a send-as alias stays; otherwise, with
/// <see cref="FromPolicy.Rewrite"/>, From becomes the account's address with the original display name,
/// and the original address goes to Reply-To (unless the message has one), so replies still reach it.
/// Only those header fields change; the body and every other field are relayed as received.
/// </summary>
internal static class FromRewriter
{
    /// <summary>Applies the policy to <paramref name="message"/>; returns true when it changed it.</summary>
    public static bool Apply(MimeMessage message, SmtpProviderOptions options)
    {
        if (options.FromPolicy != FromPolicy.Rewrite) return false;
        var from = message.From.Mailboxes.FirstOrDefault();
        if (from is null || AddressRules.Matches(options.SendAsAliases, from.Address)) return false;

        var rewritten = options.EffectiveRewriteFromAddress!;
        if (from.Address.Equals(rewritten, StringComparison.OrdinalIgnoreCase)) return false;
        if (message.ReplyTo.Count == 0) message.ReplyTo.Add(new MailboxAddress(from.Name, from.Address));
        message.From.Clear();
        message.From.Add(new MailboxAddress(from.Name, rewritten));
        return true;
    }
}
