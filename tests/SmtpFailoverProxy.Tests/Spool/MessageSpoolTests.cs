using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Spool;

public sealed class MessageSpoolTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sfp-unit", Guid.NewGuid().ToString("N"));

    private string Slots => Path.Combine(_root, "slots");
    private string Queue => Path.Combine(_root, "queue");

    private static MessageEnvelope Envelope(string id) =>
        new(id, "app@example.com", ["a@example.com"], new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), "127.0.0.1", "client", true, false);

    private static async Task<string> AcceptAsync(MessageSpool spool, byte[] content)
    {
        var id = QueueId.New(TimeProvider.System);
        using var entry = spool.Begin(Envelope(id));
        entry.Write(content);
        await entry.CommitAsync();
        return id;
    }

    private static byte[] ReadContent(MessageSpool spool, string id)
    {
        using var content = spool.Load(id)!.OpenContent();
        using var copy = new MemoryStream();
        content.CopyTo(copy);
        return copy.ToArray();
    }

    [Theory]
    [InlineData(nameof(SpoolSyncMode.FileSystem))]
    [InlineData(nameof(SpoolSyncMode.PerFile))]
    public async Task Committed_message_is_listed_and_reads_back_with_its_envelope_and_exact_bytes(string mode)
    {
        var spool = new MessageSpool(_root, TimeProvider.System, Enum.Parse<SpoolSyncMode>(mode));
        var id = await AcceptAsync(spool, "Subject: x\r\n\r\n\u00e9\r\n"u8.ToArray());

        Assert.Equal([id], spool.ListQueued());
        var message = spool.Load(id)!;
        Assert.Equal(id, message.Envelope.QueueId);
        Assert.Equal("app@example.com", message.Envelope.Sender);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), message.Envelope.ReceivedAt);
        Assert.True(message.Envelope.EightBitMime);
        Assert.Equal(["a@example.com"], message.Envelope.Recipients);
        var bytes = ReadContent(spool, id);
        Assert.Equal("Subject: x\r\n\r\n\u00e9\r\n"u8.ToArray(), bytes);
        Assert.Equal(bytes.Length, message.ContentLength);
    }

    [Theory]
    [InlineData(nameof(SpoolSyncMode.FileSystem))]
    [InlineData(nameof(SpoolSyncMode.PerFile))]
    public async Task Messages_committed_at_the_same_moment_are_all_queued_intact(string mode)
    {
        var spool = new MessageSpool(_root, TimeProvider.System, Enum.Parse<SpoolSyncMode>(mode));
        var contents = Enumerable.Range(0, 200).Select(i => System.Text.Encoding.ASCII.GetBytes($"Subject: {i}\r\n\r\n{new string('x', i * 7)}\r\n")).ToArray();

        var ids = await Task.WhenAll(contents.Select(c => Task.Run(() => AcceptAsync(spool, c))));

        Assert.Equal(ids.Order(StringComparer.Ordinal), spool.ListQueued());
        for (var i = 0; i < ids.Length; i++) Assert.Equal(contents[i], ReadContent(spool, ids[i]));
    }

    [Fact]
    public async Task Delivered_slot_is_written_over_in_place_by_the_next_message_which_reads_back_exactly_after_a_restart_too()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var first = await AcceptAsync(spool, System.Text.Encoding.ASCII.GetBytes("Subject: long\r\n\r\n" + new string('a', 5000) + "\r\n"));
        spool.Remove(spool.Load(first)!);
        Assert.Equal(1, spool.RecycledCount);
        var kept = Assert.Single(Directory.EnumerateFiles(Slots));
        var keptLength = new FileInfo(kept).Length;

        var second = await AcceptAsync(spool, "Subject: short\r\n\r\nb\r\n"u8.ToArray());

        Assert.Equal(0, spool.RecycledCount);
        Assert.Equal([kept], Directory.EnumerateFiles(Slots));
        Assert.Equal(keptLength, new FileInfo(kept).Length); // never cut shorter: the old bytes stay behind the record
        Assert.Equal([second], spool.ListQueued());
        Assert.Equal("Subject: short\r\n\r\nb\r\n"u8.ToArray(), ReadContent(spool, second));
        var restarted = new MessageSpool(_root, TimeProvider.System);
        Assert.Equal([second], restarted.ListQueued());
        Assert.Equal("Subject: short\r\n\r\nb\r\n"u8.ToArray(), ReadContent(restarted, second));
    }

    [Fact]
    public async Task Delivered_message_is_marked_free_on_disk_and_a_restart_neither_lists_nor_loses_its_slot()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var delivered = await AcceptAsync(spool, "Subject: done\r\n"u8.ToArray());
        var waiting = await AcceptAsync(spool, "Subject: waiting\r\n"u8.ToArray());
        var slot = spool.Load(delivered)!.Path;

        spool.Remove(spool.Load(delivered)!);

        Assert.Equal((byte)'F', File.ReadAllBytes(slot)[SpoolFile.StateOffset]);
        var restarted = new MessageSpool(_root, TimeProvider.System); // as after kill -9: nothing but the disk
        Assert.Equal([waiting], restarted.ListQueued());
        Assert.Equal(1, restarted.RecycledCount);
        Assert.Equal("Subject: waiting\r\n"u8.ToArray(), ReadContent(restarted, waiting));
    }

    [Fact]
    public async Task Slot_keeps_one_open_handle_through_its_message_its_free_mark_and_the_next_message()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var first = await AcceptAsync(spool, "Subject: first\r\n"u8.ToArray());
        Assert.Equal(1, spool.OpenSlotHandles);

        spool.Remove(spool.Load(first)!);
        Assert.Equal(1, spool.OpenSlotHandles);
        var second = await AcceptAsync(spool, "Subject: second\r\n"u8.ToArray());

        Assert.Equal(1, spool.OpenSlotHandles);
        Assert.Single(Directory.EnumerateFiles(Slots));
        Assert.Equal("Subject: second\r\n"u8.ToArray(), ReadContent(spool, second));
        spool.Dispose();
        Assert.Equal(0, spool.OpenSlotHandles);
    }

    [Fact]
    public async Task Large_message_reads_back_from_its_slot_while_the_slot_is_held_open_for_writing()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var content = System.Text.Encoding.ASCII.GetBytes("Subject: large\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 998) + "\r\n", 100)));
        var id = await AcceptAsync(spool, content); // past the write buffer: not handed over in memory, read from the slot

        Assert.Equal(1, spool.OpenSlotHandles);
        Assert.Equal(content, ReadContent(spool, id));
        spool.Remove(spool.Load(id)!);
        Assert.Equal((byte)'F', File.ReadAllBytes(Assert.Single(Directory.EnumerateFiles(Slots)))[SpoolFile.StateOffset]);
    }

    [Fact]
    public async Task Message_written_in_lines_and_pieces_larger_than_the_buffer_passes_its_checksum_after_a_restart()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var id = QueueId.New(TimeProvider.System);
        var expected = new MemoryStream();
        using (var entry = spool.Begin(Envelope(id)))
        {
            void Write(byte[] bytes)
            {
                entry.Write(bytes);
                expected.Write(bytes);
            }

            for (var i = 0; i < 2000; i++) Write(System.Text.Encoding.ASCII.GetBytes($"line {i} of a message\r\n")); // past one buffer
            Write(Enumerable.Range(0, 70_000).Select(i => (byte)('a' + i % 26)).ToArray()); // one piece larger than the buffer
            Write("\r\nlast line\r\n"u8.ToArray());
            await entry.CommitAsync();
        }

        var restarted = new MessageSpool(_root, TimeProvider.System); // found at start: its checksum is checked when loaded

        Assert.Equal(expected.ToArray(), ReadContent(restarted, id));
    }

    [Fact]
    public async Task Slot_freed_last_is_written_first()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var a = await AcceptAsync(spool, "Subject: a\r\n"u8.ToArray());
        var b = await AcceptAsync(spool, "Subject: b\r\n"u8.ToArray());
        var slotOfB = spool.Load(b)!.Path;
        spool.Remove(spool.Load(a)!);
        spool.Remove(spool.Load(b)!);

        var next = await AcceptAsync(spool, "Subject: next\r\n"u8.ToArray());

        Assert.Equal(slotOfB, spool.Load(next)!.Path);
    }

    [Theory]
    [InlineData(SpooledMessage.InMemoryLimit, true)]
    [InlineData(SpooledMessage.InMemoryLimit + 1, false)]
    public async Task Small_message_is_read_whole_into_memory_and_a_large_one_streamed_both_exactly(int size, bool inMemory)
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var content = new byte[size];
        new Random(size).NextBytes(content);
        var id = await AcceptAsync(spool, content);

        using (var stream = spool.Load(id)!.OpenContent()) Assert.Equal(inMemory, stream is MemoryStream);
        Assert.Equal(content, ReadContent(spool, id));
    }

    [Fact]
    public async Task Writes_small_and_larger_than_the_buffer_in_any_order_read_back_exactly()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var random = new Random(7);
        var pieces = Enumerable.Range(0, 2000).Select(i => new byte[i % 500 == 0 ? 100_000 : random.Next(0, 120)]).ToList();
        foreach (var piece in pieces) random.NextBytes(piece);
        var id = QueueId.New(TimeProvider.System);
        using (var entry = spool.Begin(Envelope(id)))
        {
            foreach (var piece in pieces) entry.Write(piece);
            await entry.CommitAsync();
        }

        Assert.Equal(pieces.SelectMany(p => p).ToArray(), ReadContent(spool, id));
    }

    [Fact]
    public async Task Large_delivered_file_is_deleted_not_kept()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var id = await AcceptAsync(spool, new byte[RecycledFiles.MaxFileLength + 1]);

        spool.Remove(spool.Load(id)!);

        Assert.Equal(0, spool.RecycledCount);
        Assert.Empty(Directory.EnumerateFiles(Slots));
        Assert.Empty(Directory.EnumerateFiles(Queue));
    }

    [Fact]
    public void Uncommitted_message_is_never_queued_and_its_file_goes_back_to_the_pool()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        using (var entry = spool.Begin(Envelope(QueueId.New(TimeProvider.System))))
        {
            entry.Write("Subject: x\r\n"u8);
            entry.Write(new byte[100_000]); // past the buffer: on disk, under a header that says free
        }

        Assert.Empty(spool.ListQueued());
        Assert.Equal(1, spool.RecycledCount);
        Assert.Single(Directory.EnumerateFiles(Slots));
        Assert.Empty(new MessageSpool(_root, TimeProvider.System).ListQueued());
    }

    [Fact]
    public void Start_removes_what_a_crash_left_half_done_keeps_free_slots_for_reuse_and_moves_a_broken_queued_header_aside()
    {
        Directory.CreateDirectory(Path.Combine(_root, "tmp"));
        Directory.CreateDirectory(Queue);
        Directory.CreateDirectory(Slots);
        Directory.CreateDirectory(Path.Combine(_root, "free"));
        File.WriteAllText(Path.Combine(_root, "tmp", "HALF.state"), "partial");
        File.WriteAllText(Path.Combine(Queue, "0123456789ABCDEF0123456789ABCDEF.state"), "{}");
        File.WriteAllText(Path.Combine(_root, "free", "old.free"), "an earlier version's recycled file");
        for (var i = 0; i < 30; i++) File.WriteAllText(Path.Combine(Slots, $"{i:D4}.slot"), "half a message"); // 14 bytes
        File.WriteAllText(Path.Combine(Slots, "stray.txt"), "?");
        var broken = Path.Combine(Slots, "broken.slot");
        File.WriteAllText(broken, "SFP4 Q not a queue id and no end at all, but queued\n...");

        var spool = new MessageSpool(_root, TimeProvider.System, recycleBytes: 20 * 14 + 13);

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "tmp")));
        Assert.Empty(Directory.EnumerateFiles(Queue));
        Assert.False(Directory.Exists(Path.Combine(_root, "free")));
        Assert.Equal((20, 20 * 14L), (spool.RecycledCount, spool.RecycledBytes));
        Assert.Equal(20, Directory.EnumerateFiles(Slots).Count());
        Assert.Empty(spool.ListQueued());
        var moved = Assert.Single(spool.QuarantinedAtStart);
        Assert.Equal(Path.Combine(_root, "corrupt", "broken.slot"), moved);
        Assert.StartsWith("SFP4 Q not a queue id", File.ReadAllText(moved));
    }

    [Fact]
    public async Task Delivered_files_are_kept_up_to_the_disk_budget_and_the_next_messages_write_over_them()
    {
        var content = new byte[10_000];
        var probe = new MessageSpool(Path.Combine(_root, "probe"), TimeProvider.System);
        var fileLength = new FileInfo(probe.Load(await AcceptAsync(probe, content))!.Path).Length;
        var spool = new MessageSpool(_root, TimeProvider.System, recycleBytes: 3 * fileLength + fileLength / 2);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(await AcceptAsync(spool, content));

        foreach (var id in ids) spool.Remove(spool.Load(id)!);

        Assert.Equal((3, 3 * fileLength), (spool.RecycledCount, spool.RecycledBytes));
        Assert.Equal(3, Directory.EnumerateFiles(Slots).Count());
        for (var i = 0; i < 3; i++) await AcceptAsync(spool, content);
        Assert.Equal((0, 0L), (spool.RecycledCount, spool.RecycledBytes));
        Assert.Equal(3, Directory.EnumerateFiles(Slots).Count());
        Assert.Equal(3, spool.ListQueued().Count);
    }

    [Fact]
    public void Room_is_the_minimum_free_space_plus_the_declared_size()
    {
        Directory.CreateDirectory(_root);
        var free = new DriveInfo(_root).AvailableFreeSpace;

        var half = new MessageSpool(_root, TimeProvider.System, minFreeBytes: free / 2);
        var twice = new MessageSpool(_root, TimeProvider.System, minFreeBytes: free * 2);

        Assert.True(half.HasRoomFor(0));
        Assert.False(half.HasRoomFor(free));
        Assert.False(twice.HasRoomFor(0));
        Assert.True(new MessageSpool(_root, TimeProvider.System).HasRoomFor(0));
        Assert.False(new MessageSpool(_root, TimeProvider.System, minFreeBytes: long.MaxValue).HasRoomFor(1000));
    }

    [Fact]
    public async Task Budget_of_zero_deletes_every_delivered_file_and_closes_its_handle_first()
    {
        var spool = new MessageSpool(_root, TimeProvider.System, recycleBytes: 0);
        var id = await AcceptAsync(spool, "Subject: x\r\n"u8.ToArray());

        spool.Remove(spool.Load(id)!);

        Assert.Equal(0, spool.RecycledCount);
        Assert.Equal(0, spool.OpenSlotHandles);
        Assert.Empty(Directory.EnumerateFiles(Slots));
        Assert.Empty(Directory.EnumerateFiles(Queue));
    }

    [Fact]
    public async Task State_after_some_recipients_are_done_is_on_disk_survives_a_restart_and_remove_deletes_it()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var id = QueueId.New(TimeProvider.System);
        using (var entry = spool.Begin(Envelope(id) with { Recipients = ["a@example.com", "b@example.com"] }))
        {
            entry.Write("x"u8);
            await entry.CommitAsync();
        }

        Assert.Equal(0, spool.Load(id)!.State.Attempts);

        var next = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
        spool.SaveState(spool.Load(id)!, new DeliveryState(["b@example.com"], 3, next, "451 4.3.0 later"));
        Assert.Single(Directory.EnumerateFiles(Queue, "*.state"));
        var reloaded = new MessageSpool(_root, TimeProvider.System);
        var fromDisk = reloaded.Load(id)!;
        Assert.Equal(new FileInfo(fromDisk.Path).Length, fromDisk.FileLength);
        var state = fromDisk.State;
        Assert.Equal(["b@example.com"], state.PendingRecipients);
        Assert.Equal(3, state.Attempts);
        Assert.Equal(next, state.NextAttemptAt);
        Assert.Equal("451 4.3.0 later", state.LastReply);

        reloaded.Remove(reloaded.Load(id)!);
        Assert.Null(reloaded.Load(id));
        Assert.Empty(Directory.EnumerateFiles(Queue));
        Assert.Single(Directory.EnumerateFiles(Slots));
        Assert.Equal(1, reloaded.RecycledCount);
    }

    [Fact]
    public async Task Deferral_with_every_recipient_pending_counts_its_attempts_in_memory_and_a_restart_starts_the_message_afresh()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var id = await AcceptAsync(spool, "x"u8.ToArray());
        var next = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

        spool.SaveState(spool.Load(id)!, new DeliveryState(["a@example.com"], 2, next, "421 4.7.0 try again later"));

        Assert.Empty(Directory.EnumerateFiles(Queue, "*.state"));
        Assert.Equal(2, spool.Load(id)!.State.Attempts);
        var restarted = new MessageSpool(_root, TimeProvider.System).Load(id)!.State;
        Assert.Equal(0, restarted.Attempts);
        Assert.Equal(["a@example.com"], restarted.PendingRecipients);
        spool.Remove(spool.Load(id)!);
        Assert.Null(spool.Load(id));
    }

    [Theory]
    [InlineData("message")]
    [InlineData("envelope")]
    public async Task File_found_at_start_whose_bytes_do_not_match_its_checksum_is_refused(string damaged)
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var id = await AcceptAsync(spool, "Subject: x\r\n\r\nbody\r\n"u8.ToArray());
        var path = spool.Load(id)!.Path;
        var bytes = File.ReadAllBytes(path);
        var at = damaged == "message" ? Array.IndexOf(bytes, (byte)'b') : Array.LastIndexOf(bytes, (byte)'@');
        bytes[at] ^= 0x20; // what a torn write leaves: the right length, some old bytes
        File.WriteAllBytes(path, bytes);

        var restarted = new MessageSpool(_root, TimeProvider.System);

        var ex = Assert.Throws<InvalidDataException>(() => restarted.Load(id));
        Assert.Contains("checksum", ex.Message);
    }

    [Fact]
    public async Task Slot_whose_new_header_reached_the_disk_but_not_its_bytes_is_refused_not_delivered_again()
    {
        // The new message's header on disk, then a crash before the rest: the bytes are still those of the
        // delivered message the slot held before, whole and with a good checksum.
        var spool = new MessageSpool(_root, TimeProvider.System);
        var delivered = await AcceptAsync(spool, "Subject: old\r\n\r\nold\r\n"u8.ToArray());
        var slot = spool.Load(delivered)!.Path;
        var header = File.ReadAllBytes(slot)[..SpoolFile.HeaderLength];
        spool.Remove(spool.Load(delivered)!);
        var newId = QueueId.New(TimeProvider.System);
        SpoolFile.WriteHeader(header, newId, SpoolFile.ReadHeader(header)!.End, queued: true);
        spool.Dispose(); // the crash: the process and its open slots are gone
        using (var file = File.OpenWrite(slot)) file.Write(header);

        var restarted = new MessageSpool(_root, TimeProvider.System);

        Assert.Equal([newId], restarted.ListQueued());
        var ex = Assert.Throws<InvalidDataException>(() => restarted.Load(newId));
        Assert.Contains(delivered, ex.Message);
    }

    [Fact]
    public async Task Slot_whose_header_promises_more_bytes_than_reached_the_disk_is_refused()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var id = await AcceptAsync(spool, "Subject: x\r\n\r\nbody\r\n"u8.ToArray());
        var slot = spool.Load(id)!.Path;
        using (var file = new FileStream(slot, FileMode.Open)) file.SetLength(file.Length - 10);

        var ex = Assert.Throws<InvalidDataException>(() => new MessageSpool(_root, TimeProvider.System).Load(id));
        Assert.Contains("shorter than its header says", ex.Message);
    }

    [Fact]
    public async Task Slot_found_at_start_intact_loads_and_files_of_the_earlier_layouts_in_queue_are_delivered_and_removed()
    {
        var id = await AcceptAsync(new MessageSpool(_root, TimeProvider.System), "Subject: new\r\n\r\nnew\r\n"u8.ToArray());
        var uncheckedId = QueueId.New(TimeProvider.System);
        var json = System.Text.Json.JsonSerializer.Serialize(Envelope(uncheckedId));
        File.WriteAllText(Path.Combine(Queue, uncheckedId + SpoolFile.Extension), $"SFP2\nSubject: old\r\n\r\nold\r\n\n{json}\n{json.Length:D10}\n");
        var checkedId = QueueId.New(TimeProvider.System);
        json = System.Text.Json.JsonSerializer.Serialize(Envelope(checkedId));
        var body = $"SFP3\nSubject: sfp3\r\n\r\nsfp3\r\n\n{json}\n";
        var hash = System.IO.Hashing.XxHash3.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(body));
        File.WriteAllText(Path.Combine(Queue, checkedId + SpoolFile.Extension), $"{body}{json.Length:D10} {hash:x16}\n");

        var restarted = new MessageSpool(_root, TimeProvider.System);

        Assert.Equal(new[] { id, uncheckedId, checkedId }.Order(StringComparer.Ordinal), restarted.ListQueued());
        Assert.Equal(3, restarted.Count);
        Assert.Equal("Subject: new\r\n\r\nnew\r\n"u8.ToArray(), ReadContent(restarted, id));
        Assert.Equal("Subject: old\r\n\r\nold\r\n"u8.ToArray(), ReadContent(restarted, uncheckedId));
        Assert.Equal("Subject: sfp3\r\n\r\nsfp3\r\n"u8.ToArray(), ReadContent(restarted, checkedId));
        Assert.Equal(["a@example.com"], restarted.Load(uncheckedId)!.Envelope.Recipients);
        restarted.Remove(restarted.Load(uncheckedId)!);
        restarted.Remove(restarted.Load(checkedId)!);
        Assert.Empty(Directory.EnumerateFiles(Queue));
        Assert.Equal([id], restarted.ListQueued());
    }

    [Fact]
    public async Task Just_committed_message_is_handed_to_delivery_from_memory_once_then_read_from_its_file()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var id = await AcceptAsync(spool, "Subject: x\r\n\r\nbody\r\n"u8.ToArray());
        File.WriteAllBytes(Assert.Single(Directory.EnumerateFiles(Slots)), "not read"u8.ToArray());

        var first = spool.Load(id)!;

        Assert.Equal("Subject: x\r\n\r\nbody\r\n"u8.ToArray(), first.Content);
        Assert.Equal(0, first.State.Attempts);
        Assert.Throws<InvalidDataException>(() => spool.Load(id)); // the second load reads the (now damaged) file
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
