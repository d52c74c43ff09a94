using System.Text;
using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Providers.Smtp;

namespace SmtpFailoverProxy.Tests.Providers.Smtp;

/// <summary>The relay client against scripted upstreams on loopback: what it sends, when, and what it makes of the replies.</summary>
public sealed class SmtpRelayProviderTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(20);
    private const string Content = "Subject: hello\r\n\r\n.dot line\r\nbody\r\n";

    private static OutboundMessage Message(params string[] recipients)
    {
        var bytes = Encoding.UTF8.GetBytes(Content);
        return new OutboundMessage("Q1", "app@example.com", recipients, () => new MemoryStream(bytes), bytes.Length, EightBitMime: false, SmtpUtf8: false);
    }

    /// <summary>Sends one message, closes the provider's connections (QUIT), and waits for the script to end.</summary>
    private static async Task<DeliveryResult> SendAndFinishAsync(ScriptedSmtpServer server, SmtpRelayProvider provider, params string[] recipients)
    {
        var result = await provider.SendAsync(Message(recipients), CancellationToken.None).WaitAsync(TestTimeout);
        await provider.DisposeAsync();
        await server.Completion.WaitAsync(TestTimeout);
        return result;
    }

    /// <summary>
    /// Two messages handed over at once (the second waits for the one connection), then as <see cref="SendAndFinishAsync"/>.
    /// </summary>
    private static async Task<DeliveryResult[]> SendTwoAndFinishAsync(ScriptedSmtpServer server, SmtpRelayProvider provider, string first, string second)
    {
        var results = await Task.WhenAll(provider.SendAsync(Message(first), CancellationToken.None), provider.SendAsync(Message(second), CancellationToken.None))
            .WaitAsync(TestTimeout);
        await provider.DisposeAsync();
        await server.Completion.WaitAsync(TestTimeout);
        return results;
    }

    private static SmtpRelayProvider Provider(ScriptedSmtpServer server, Action<SmtpProviderOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new SmtpProviderOptions { Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, MaxConnections = 1 };
        configure?.Invoke(options);
        return new SmtpRelayProvider("gmail", options, "proxy.test", time ?? TimeProvider.System);
    }

    [Fact]
    public async Task With_PIPELINING_MAIL_every_RCPT_and_DATA_go_before_any_reply_and_each_recipient_keeps_its_own()
    {
        string? received = null;
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("PIPELINING", "SIZE 10000000", "8BITMIME");
            // Nothing is answered before all four commands are in: a client waiting for a reply would hang here.
            await peer.ExpectAsync($"MAIL FROM:<app@example.com> SIZE={Encoding.UTF8.GetByteCount(Content)}");
            await peer.ExpectAsync("RCPT TO:<user@example.com>");
            await peer.ExpectAsync("RCPT TO:<nobody@example.com>");
            await peer.ExpectAsync("DATA");
            await peer.SayAsync("250 2.1.0 Ok", "250 2.1.5 Ok", "550 5.1.1 <nobody@example.com>: Recipient address rejected", "354 go ahead");
            received = await peer.ReadContentAsync();
            await peer.SayAsync("250 2.0.0 Ok: queued as ABC");
            await peer.ExpectAsync("QUIT");
            await peer.SayAsync("221 2.0.0 Bye");
        });
        var provider = Provider(server);

        var result = await SendAndFinishAsync(server, provider, "user@example.com", "nobody@example.com");

        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.Equal(new RecipientResult("user@example.com", RecipientStatus.Delivered, new UpstreamReply(250, "2.0.0", "Ok: queued as ABC")), result.Recipients[0]);
        Assert.Equal(RecipientStatus.Failed, result.Recipients[1].Status);
        Assert.Equal("5.1.1", result.Recipients[1].Reply.EnhancedCode);
        Assert.Equal("Subject: hello\r\n\r\n..dot line\r\nbody\r\n", received);
    }

    [Fact]
    public async Task Without_PIPELINING_each_command_waits_for_its_reply()
    {
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("8BITMIME");
            foreach (var (command, reply) in new[] { ("MAIL FROM:<app@example.com>", "250 Ok"), ("RCPT TO:<user@example.com>", "250 Ok"), ("DATA", "354 go ahead") })
            {
                await peer.ExpectAsync(command);
                Assert.False(peer.ClientSentMore, $"the client sent more before the reply to {command}");
                await peer.SayAsync(reply);
            }

            await peer.ReadContentAsync();
            await peer.SayAsync("250 Ok");
        });
        await using var provider = Provider(server);

        var result = await SendAndFinishAsync(server, provider, "user@example.com");

        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.Equal(new UpstreamReply(250, null, "Ok"), result.Recipients[0].Reply);
    }

    [Fact]
    public async Task All_recipients_refused_then_RSET_and_the_connection_carries_the_next_message()
    {
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("PIPELINING");
            for (var i = 0; i < 4; i++) await peer.ReadLineAsync();
            await peer.SayAsync("250 Ok", "550 5.1.1 unknown a", "550 5.1.1 unknown b", "554 5.5.1 Error: no valid recipients");
            await peer.ExpectAsync("RSET");
            await peer.SayAsync("250 2.0.0 Ok");
            // The next message, on the same connection.
            await peer.TakeContentAsync();
            await peer.SayAsync("250 Ok");
        });
        await using var provider = Provider(server);

        var refused = await provider.SendAsync(Message("a@example.com", "b@example.com"), CancellationToken.None).WaitAsync(TestTimeout);
        var next = await SendAndFinishAsync(server, provider, "c@example.com");

        Assert.Equal(OutcomeClass.MessageRejected, refused.Class);
        Assert.All(refused.Recipients, r => Assert.Equal(RecipientStatus.Failed, r.Status));
        Assert.Equal("unknown b", refused.Recipients[1].Reply.Text);
        Assert.Equal(OutcomeClass.Delivered, next.Class);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task A_waiting_message_s_envelope_goes_with_the_previous_final_dot_one_round_trip_a_message()
    {
        string? second = null;
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("PIPELINING");
            await peer.TakeContentAsync();
            // No 250 for the first message yet: a client that waited for it would hang here.
            await peer.ExpectAsync("MAIL FROM:<app@example.com>");
            await peer.ExpectAsync("RCPT TO:<second@example.com>");
            await peer.ExpectAsync("DATA");
            await peer.SayAsync("250 2.0.0 Ok: first", "250 Ok", "250 Ok", "354 go ahead");
            second = await peer.ReadContentAsync();
            await peer.SayAsync("250 2.0.0 Ok: second");
            await peer.ExpectAsync("QUIT");
            await peer.SayAsync("221 Bye");
        });
        var provider = Provider(server); // one connection: the second waits for it

        var results = await SendTwoAndFinishAsync(server, provider, "first@example.com", "second@example.com");

        Assert.Equal("Ok: first", results[0].Recipients[0].Reply.Text);
        Assert.Equal("Ok: second", results[1].Recipients[0].Reply.Text);
        Assert.Equal("Subject: hello\r\n\r\n..dot line\r\nbody\r\n", second);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task A_message_whose_envelope_followed_a_dot_answered_421_starts_again_on_a_fresh_connection()
    {
        await using var server = new ScriptedSmtpServer(
            async peer =>
            {
                await peer.GreetAsync("PIPELINING");
                await peer.TakeContentAsync();
                for (var i = 0; i < 3; i++) await peer.ReadLineAsync(); // the follower's MAIL, RCPT, DATA
                await peer.SayAsync("421 4.3.2 scripted.test shutting down");
                peer.Drop();
            },
            async peer =>
            {
                await peer.GreetAsync("PIPELINING");
                await peer.TakeContentAsync();
                await peer.SayAsync("250 2.0.0 Ok: second");
                await peer.ExpectAsync("QUIT");
                await peer.SayAsync("221 Bye");
            });
        var provider = Provider(server);

        var results = await SendTwoAndFinishAsync(server, provider, "first@example.com", "second@example.com");

        // The first message's content went: the 421 decides for it (no retry that could deliver it twice).
        Assert.Equal(RecipientStatus.Deferred, results[0].Recipients[0].Status);
        Assert.Equal(421, results[0].Recipients[0].Reply.Code);
        Assert.Equal(OutcomeClass.Delivered, results[1].Class);
        Assert.Equal("Ok: second", results[1].Recipients[0].Reply.Text);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_waiting_message_refused_before_sending_is_not_pipelined_after_the_dot()
    {
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("PIPELINING");
            await peer.TakeContentAsync();
            await peer.SayAsync("250 Ok");
            await peer.ExpectAsync("QUIT"); // not the smuggling message's MAIL
            await peer.SayAsync("221 Bye");
        });
        var provider = Provider(server);

        var results = await SendTwoAndFinishAsync(server, provider, "first@example.com", "user@example.com>\r\nRCPT TO:<other@example.com");

        Assert.Equal(OutcomeClass.Delivered, results[0].Class);
        Assert.Equal("5.1.3", results[1].Recipients[0].Reply.EnhancedCode);
    }

    [Fact]
    public async Task A_send_cancelled_while_it_waits_for_a_connection_is_never_sent()
    {
        var release = new TaskCompletionSource();
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            // No greeting until the second was cancelled: the one connection is still opening, so the second
            // is surely waiting, not yet taken to follow the first's final dot (holding only the first's 250,
            // a slow test thread could cancel after the lane had taken it).
            await release.Task;
            await peer.GreetAsync("PIPELINING");
            await peer.TakeContentAsync();
            await peer.SayAsync("250 Ok");
            await peer.ExpectAsync("QUIT");
            await peer.SayAsync("221 Bye");
        });
        var provider = Provider(server);
        using var cancel = new CancellationTokenSource();

        var first = provider.SendAsync(Message("first@example.com"), CancellationToken.None);
        var cancelled = provider.SendAsync(Message("second@example.com"), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TestTimeout));
        release.SetResult();
        var result = await first.WaitAsync(TestTimeout);
        await provider.DisposeAsync();
        await server.Completion.WaitAsync(TestTimeout);

        Assert.Equal(OutcomeClass.Delivered, result.Class);
    }

    [Fact]
    public async Task A_refused_greeting_defers_every_recipient_and_blames_the_provider_not_the_message()
    {
        await using var server = new ScriptedSmtpServer(async peer => await peer.SayAsync("554 5.7.1 Client host [127.0.0.1] blocked"));
        await using var provider = Provider(server);

        var result = await provider.SendAsync(Message("user@example.com"), CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(OutcomeClass.ProviderMisconfigured, result.Class);
        Assert.Equal(RecipientStatus.Deferred, result.Recipients[0].Status);
        Assert.Equal(new UpstreamReply(554, "5.7.1", "Client host [127.0.0.1] blocked"), result.Recipients[0].Reply);
    }

    [Fact]
    public async Task AUTH_PLAIN_when_offered()
    {
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("AUTH LOGIN PLAIN");
            await peer.ExpectAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0relay@example.com\0app password")));
            await peer.SayAsync("235 2.7.0 Accepted");
            await peer.ReadLineAsync();
            await peer.SayAsync("451 4.3.0 try later");
            await peer.ExpectAsync("RSET");
            await peer.SayAsync("250 Ok");
        });
        await using var provider = Provider(server, o => (o.Username, o.Password) = ("relay@example.com", "app password"));

        var result = await SendAndFinishAsync(server, provider, "user@example.com");

        Assert.Equal(new UpstreamReply(451, "4.3.0", "try later"), result.Recipients[0].Reply);
        Assert.Equal(RecipientStatus.Deferred, result.Recipients[0].Status);
    }

    [Fact]
    public async Task AUTH_LOGIN_when_PLAIN_is_not_offered_and_a_refusal_is_the_providers_misconfiguration()
    {
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("AUTH LOGIN");
            await peer.ExpectAsync("AUTH LOGIN");
            await peer.SayAsync("334 VXNlcm5hbWU6");
            await peer.ExpectAsync(Convert.ToBase64String("relay@example.com"u8.ToArray()));
            await peer.SayAsync("334 UGFzc3dvcmQ6");
            await peer.ExpectAsync(Convert.ToBase64String("wrong"u8.ToArray()));
            await peer.SayAsync("535-5.7.8 Username and Password not accepted. For more information, go to", "535 5.7.8  https://support.google.com/mail/?p=BadCredentials");
        });
        await using var provider = Provider(server, o => (o.Username, o.Password) = ("relay@example.com", "wrong"));

        var result = await SendAndFinishAsync(server, provider, "user@example.com");

        Assert.Equal(OutcomeClass.ProviderMisconfigured, result.Class);
        Assert.Equal(RecipientStatus.Deferred, result.Recipients[0].Status);
        Assert.Equal("5.7.8", result.Recipients[0].Reply.EnhancedCode);
        Assert.DoesNotContain("wrong", result.Recipients[0].Reply.Text);
    }

    [Fact]
    public async Task XOAUTH2_sends_the_token_and_reads_the_final_reply_after_the_error_challenge()
    {
        var expected = Convert.ToBase64String(Encoding.UTF8.GetBytes("user=relay@example.com\u0001auth=Bearer ya29.token\u0001\u0001"));
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("AUTH LOGIN PLAIN XOAUTH2");
            await peer.ExpectAsync("AUTH XOAUTH2 " + expected);
            await peer.SayAsync("334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==");
            await peer.ExpectAsync("");
            await peer.SayAsync("535 5.7.8 Username and Password not accepted");
        });
        await using var provider = Provider(server, o => (o.Username, o.OAuth2Token) = ("relay@example.com", "ya29.token"));

        var result = await SendAndFinishAsync(server, provider, "user@example.com");

        Assert.Equal(OutcomeClass.ProviderMisconfigured, result.Class);
        Assert.Equal(535, result.Recipients[0].Reply.Code);
    }

    [Fact]
    public async Task STARTTLS_required_but_not_offered_is_a_misconfiguration_and_nothing_is_sent_in_clear()
    {
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("PIPELINING", "AUTH PLAIN");
            await peer.ExpectAsync("QUIT");
        });
        await using var provider = Provider(server, o => (o.Security, o.Username, o.Password) = (SmtpSecurity.StartTls, "relay@example.com", "secret"));

        var result = await SendAndFinishAsync(server, provider, "user@example.com");

        Assert.Equal(OutcomeClass.ProviderMisconfigured, result.Class);
        Assert.Equal(RecipientStatus.Deferred, result.Recipients[0].Status);
        Assert.Contains("does not offer STARTTLS", result.Recipients[0].Reply.Text);
    }

    [Fact]
    public async Task Plaintext_sent_after_the_STARTTLS_reply_is_refused_not_read_as_if_it_came_over_TLS()
    {
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("STARTTLS", "PIPELINING");
            await peer.ExpectAsync("STARTTLS");
            // A man in the middle's injection (CVE-2011-0411): it must not count as the server's first words under TLS.
            await peer.SayAsync("220 2.0.0 Ready to start TLS", "250-scripted.test", "250 AUTH PLAIN");
            try
            {
                await peer.ReadLineAsync();
            }
            catch (IOException)
            {
                // The client hung up, as it should.
            }
        });
        await using var provider = Provider(server, o => o.Security = SmtpSecurity.StartTls);

        var result = await SendAndFinishAsync(server, provider, "user@example.com");

        Assert.Equal(OutcomeClass.Transient, result.Class);
        Assert.Equal(RecipientStatus.Deferred, result.Recipients[0].Status);
        Assert.Contains("before the TLS handshake", result.Recipients[0].Reply.Text);
    }

    [Fact]
    public async Task A_pooled_connection_the_server_closed_is_replaced_once_before_any_content_went()
    {
        await using var server = new ScriptedSmtpServer(
            async peer =>
            {
                await peer.GreetAsync("PIPELINING");
                await peer.TakeContentAsync();
                await peer.SayAsync("250 Ok");
                // Idle too long: the server says goodbye at the next command.
                await peer.ReadLineAsync();
                await peer.SayAsync("421 4.4.2 scripted.test Error: timeout exceeded");
                peer.Drop();
            },
            async peer =>
            {
                await peer.GreetAsync("PIPELINING");
                await peer.TakeContentAsync();
                await peer.SayAsync("250 Ok: second");
            });
        await using var provider = Provider(server);

        await provider.SendAsync(Message("user@example.com"), CancellationToken.None).WaitAsync(TestTimeout);
        var second = await SendAndFinishAsync(server, provider, "user@example.com");

        Assert.Equal(OutcomeClass.Delivered, second.Class);
        Assert.Equal("Ok: second", second.Recipients[0].Reply.Text);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_421_that_closes_a_new_connection_mid_transaction_decides_for_every_recipient()
    {
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("PIPELINING");
            for (var i = 0; i < 4; i++) await peer.ReadLineAsync();
            // Gmail's answer to a sender over its rate, then the connection goes.
            await peer.SayAsync("250 2.1.0 OK", "421 4.7.0 Try again later, closing connection.");
            peer.Drop();
        });
        await using var provider = Provider(server);

        var result = await SendAndFinishAsync(server, provider, "a@example.com", "b@example.com");

        Assert.Equal(OutcomeClass.Throttled, result.Class);
        Assert.All(result.Recipients, r => Assert.Equal(new UpstreamReply(421, "4.7.0", "Try again later, closing connection."), r.Reply));
        Assert.All(result.Recipients, r => Assert.Equal(RecipientStatus.Deferred, r.Status));
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task A_connection_lost_after_the_content_went_is_not_retried_so_the_message_cannot_arrive_twice()
    {
        await using var server = new ScriptedSmtpServer(
            async peer =>
            {
                await peer.GreetAsync("PIPELINING");
                await peer.TakeContentAsync();
                await peer.SayAsync("250 Ok");
                await peer.TakeContentAsync();
                peer.Drop();
            });
        await using var provider = Provider(server);

        await provider.SendAsync(Message("user@example.com"), CancellationToken.None).WaitAsync(TestTimeout);
        var second = await SendAndFinishAsync(server, provider, "user@example.com");

        Assert.Equal(OutcomeClass.Transient, second.Class);
        Assert.Equal(RecipientStatus.Deferred, second.Recipients[0].Status);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task A_message_over_the_advertised_SIZE_is_refused_without_sending_it()
    {
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("PIPELINING", "SIZE 10");
            await peer.ExpectAsync("QUIT");
        });
        var provider = Provider(server);

        var result = await SendAndFinishAsync(server, provider, "user@example.com");

        Assert.Equal(OutcomeClass.MessageRejected, result.Class);
        Assert.Equal(RecipientStatus.Failed, result.Recipients[0].Status);
        Assert.Equal("5.3.4", result.Recipients[0].Reply.EnhancedCode);
    }

    [Fact]
    public async Task An_address_with_CR_LF_is_refused_before_anything_is_sent_so_no_command_can_be_smuggled()
    {
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            await peer.GreetAsync("PIPELINING");
            await peer.ExpectAsync("QUIT");
        });
        var provider = Provider(server);

        var result = await SendAndFinishAsync(server, provider, "user@example.com>\r\nRCPT TO:<other@example.com");

        Assert.Equal(OutcomeClass.MessageRejected, result.Class);
        Assert.Equal("5.1.3", result.Recipients[0].Reply.EnhancedCode);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_on_the_injected_clock()
    {
        var greeted = new TaskCompletionSource();
        await using var server = new ScriptedSmtpServer(async peer =>
        {
            greeted.SetResult();
            await peer.ReadLineAsync(); // Never answered; ends when the client gives up and closes.
        });
        var time = new FakeTimeProvider();
        await using var provider = Provider(server, o => o.Timeout = TimeSpan.FromSeconds(30), time);

        var sending = provider.SendAsync(Message("user@example.com"), CancellationToken.None);
        await greeted.Task.WaitAsync(TestTimeout);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(TestTimeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        // The client may still be between its connect and its first read: advance until it has given up.
        while (!sending.IsCompleted && TimeProvider.System.GetTimestamp() < deadline)
        {
            time.Advance(TimeSpan.FromSeconds(31));
            await Task.WhenAny(sending, Task.Delay(10));
        }

        var result = await sending.WaitAsync(TestTimeout);
        Assert.Equal(OutcomeClass.Transient, result.Class);
        Assert.Contains("no answer within 00:00:30", result.Recipients[0].Reply.Text);
    }
}
