using Dtmem.Diagnosis.Logs;

namespace Dtmem.Diagnosis.Boot;

/// <summary>
/// Reads the memory-related lines of a boot log (memblock=debug, reserved-memory and CMA, zones, `Memory:`, banner,
/// command line, machine model, and /proc/iomem or debugfs memblock dumps pasted into the same capture).
/// Formats are those of kernel-memory-spec §6 for 4.x–6.12. Never throws; linear in the input.
/// </summary>
public static class BootLogParser
{
    public static BootEvidence Parse(string text, string fileName, int maxLineLength = LogReader.DefaultMaxLineLength) =>
        Parse(LogReader.Read(text, fileName, maxLineLength));

    public static BootEvidence Parse(LogDocument document)
    {
        var ev = new BootEvidence();
        var state = new State();
        foreach (var issue in document.Issues)
            ev.NoteList.Add(new DiagnosisNote("line-truncated", issue.Message, new LineRef(issue.File, issue.Line, "")));
        foreach (var line in document.Lines)
        {
            var text = line.Text;
            var t = text.AsSpan().TrimStart();
            if (t.Length == 0) { state.Section = Section.None; continue; }
            ParseLine(ev, state, line, text, t);
        }
        return ev;
    }

    private enum Section
    {
        None,
        Zones,
        NodeRanges,
        MemblockDump,
    }

    private sealed class State
    {
        public Section Section;
        public string? DumpType;
        public bool OverlapPending;
        public int PendingPool = -1;
        public int IomemLast = -1;
    }

    private static void ParseLine(BootEvidence ev, State st, LogLine line, string text, ReadOnlySpan<char> t)
    {
        var r = line.Ref;
        // Sections whose lines are only recognisable by what came before.
        if (st.Section == Section.Zones)
        {
            if (TryZone(ev, t, r)) return;
            st.Section = Section.None;
        }
        else if (st.Section == Section.NodeRanges)
        {
            if (Scan.After(t, "node ", out var node) && TryMemRange(node, out var nr, out var nodeName))
            {
                ev.RangeList.Add(new BootRange(BootRangeKind.NodeRange, nr, "node " + nodeName, null, r));
                return;
            }
            st.Section = Section.None;
        }
        else if (st.Section == Section.MemblockDump)
        {
            if (TryMemblockDump(ev, st, t, r)) return;
            st.Section = Section.None;
        }
        if (st.OverlapPending)
        {
            st.OverlapPending = false;
            if (TryOverlap(ev, t, r)) return;
        }

        if (t.StartsWith("memblock_")) { MemblockDebug(ev, t, r); return; }
        if (t.StartsWith("Zone ranges:")) { st.Section = Section.Zones; return; }
        if (t.StartsWith("Early memory node ranges")) { st.Section = Section.NodeRanges; return; }
        if (t.StartsWith("MEMBLOCK configuration:")) { st.Section = Section.MemblockDump; return; }
        if (Scan.After(t, "Initmem setup node ", out var init) && TryMemRange(init, out var ir, out var initName))
        {
            ev.RangeList.Add(new BootRange(BootRangeKind.InitmemNode, ir, "node " + initName, null, r));
            return;
        }
        if (Scan.After(t, "Linux version ", out var ver))
        {
            ev.KernelVersion ??= new(OopsVersion(ver), r);
            ev.LinuxBanner ??= new(t.ToString(), r);
            return;
        }
        if ((Scan.After(t, "Machine model: ", out var model) || Scan.After(t, "OF: fdt: Machine model: ", out model)) && model.Trim().Length > 0)
        {
            ev.MachineModel ??= new(model.Trim().ToString(), r);
            return;
        }
        if (Scan.After(t, "Kernel command line: ", out var cmd)) { ev.CommandLine ??= new(cmd.Trim().ToString(), r); return; }
        if (Scan.After(t, "Memory: ", out var mem) && mem.Contains("available", StringComparison.Ordinal)) { MemoryLine(ev, mem, r); return; }
        if (Scan.After(t, "PHYS_OFFSET: ", out var po) && Scan.ReadHex(po, out ulong pov) > 0) { ev.PhysOffset ??= new(pov, r); return; }
        int phys = t.IndexOf("PHYS_OFFSET is ");
        if (phys >= 0)
        {
            if (Scan.ReadHex(t[(phys + 15)..], out ulong pv) > 0) ev.PhysOffset ??= new(pv, r);
            int page = t.IndexOf("PAGE_OFFSET is ");
            if (page >= 0 && Scan.ReadHex(t[(page + 15)..], out ulong pg) > 0) ev.PageOffset ??= new(pg, r);
            return;
        }

        // Reserved-memory family. Prefixes vary by version ("OF: fdt: ", "OF: reserved mem: ", none); match on the body.
        var body = t;
        if (Scan.After(body, "OF: fdt: ", out var b1)) body = b1;
        else if (Scan.After(body, "OF: reserved mem: ", out var b2)) body = b2;
        bool rmemPrefix = !body.SequenceEqual(t);
        if (Scan.After(body, "Reserved memory: ", out var rm)) { ReservedMemory(ev, st, rm, r); return; }
        if (rmemPrefix && RmemLine(ev, st, body, r)) return;
        if (Scan.After(t, "cma: ", out var cma)) { Cma(ev, cma, r); return; }
        if (t.StartsWith("Reserving ") && t.Contains("for elfcorehdr", StringComparison.Ordinal)) { Elfcorehdr(ev, t, r); return; }

        if (line.Timestamp is null) TryIomem(ev, st, text, r);
    }

    private static string OopsVersion(ReadOnlySpan<char> ver) => Word(ver) ?? "";

    private static void MemblockDebug(BootEvidence ev, ReadOnlySpan<char> t, LineRef r)
    {
        int colon = t.IndexOf(": ");
        if (colon < 0) return;
        var func = t[..colon];
        var rest = t[(colon + 2)..];
        BootRangeKind? kind = func switch
        {
            "memblock_add" or "memblock_add_node" => BootRangeKind.MemblockAdd,
            "memblock_remove" => BootRangeKind.MemblockRemove,
            "memblock_reserve" => BootRangeKind.MemblockReserve,
            "memblock_free" or "memblock_phys_free" or "memblock_free_late" => BootRangeKind.MemblockFree,
            _ => null,
        };
        ev.HasMemblockDebug = true;
        if (kind is null)
        {
            // memblock_phys_alloc_range / memblock_alloc_try_nid(_raw) / … : "%llu bytes align=0x%llx …"
            if (rest.Contains("bytes", StringComparison.Ordinal))
                ev.MessageList.Add(new BootMessage(BootMessageKind.MemblockAlloc, func.ToString(), rest.Trim().ToString(), r));
            return;
        }
        if (!TryBracketRange(rest, out var range, out int used)) return;
        var detail = rest[used..].Trim();
        ev.RangeList.Add(new BootRange(kind.Value, range, func.ToString(), detail.Length == 0 ? null : detail.ToString(), r));
    }

    /// <summary>`[0x…-0x…]` at the start of s (inclusive end as printed).</summary>
    private static bool TryBracketRange(ReadOnlySpan<char> s, out PrintedRange range, out int used)
    {
        range = default;
        used = 0;
        if (s.Length < 5 || s[0] != '[') return false;
        int n = Scan.ReadHex(s[1..], out ulong a);
        if (n == 0 || 1 + n >= s.Length || s[1 + n] != '-') return false;
        int m = Scan.ReadHex(s[(2 + n)..], out ulong b);
        if (m == 0 || 2 + n + m >= s.Length || s[2 + n + m] != ']') return false;
        range = new PrintedRange(a, b);
        used = 3 + n + m;
        return true;
    }

    /// <summary>"  0: [mem 0x…-0x…]" / "[mem 0x…-0x…]" with an optional leading name; returns the name part.</summary>
    private static bool TryMemRange(ReadOnlySpan<char> s, out PrintedRange range, out string name)
    {
        range = default;
        name = "";
        int at = s.IndexOf("[mem ");
        if (at < 0) return false;
        name = s[..at].Trim().TrimEnd(':').Trim().ToString();
        var v = s[(at + 5)..];
        int n = Scan.ReadHex(v, out ulong a);
        if (n == 0 || n >= v.Length || v[n] != '-') return false;
        int m = Scan.ReadHex(v[(n + 1)..], out ulong b);
        if (m == 0) return false;
        range = new PrintedRange(a, b);
        return true;
    }

    private static bool TryZone(BootEvidence ev, ReadOnlySpan<char> t, LineRef r)
    {
        // "DMA      [mem 0x…-0x…]" or "DMA32    empty"
        int sp = t.IndexOf(' ');
        if (sp <= 0) return false;
        var name = t[..sp].ToString();
        var rest = t[sp..].Trim();
        if (rest.SequenceEqual("empty"))
        {
            ev.MessageList.Add(new BootMessage(BootMessageKind.Other, name, "zone empty", r));
            return true;
        }
        if (!TryMemRange(rest, out var range, out _)) return false;
        ev.RangeList.Add(new BootRange(BootRangeKind.Zone, range, name, null, r));
        return true;
    }

    private static bool TryMemblockDump(BootEvidence ev, State st, ReadOnlySpan<char> t, LineRef r)
    {
        // " memory size = 0x… reserved size = 0x…", " memory.cnt  = 0x3", " memory[0x0]\t[0x…-0x…], 0x… bytes on node 0 flags: 0x0"
        if (t.StartsWith("memory size") || t.StartsWith("memory.cnt") || t.StartsWith("reserved.cnt")) return true;
        // " memory[0x0]\t[0x…-0x…], …": the range is the bracket after the index bracket
        int idx = t.IndexOf(']');
        int br = idx < 0 ? -1 : t[idx..].IndexOf("[0x");
        if (br < 0) return false;
        br += idx;
        var type = t.StartsWith("memory[") ? "memory" : t.StartsWith("reserved[") ? "reserved" : null;
        if (type is null) return false;
        st.DumpType = type;
        if (!TryBracketRange(t[br..], out var range, out int used)) return false;
        var detail = t[(br + used)..].TrimStart(',').Trim();
        ev.RangeList.Add(new BootRange(type == "memory" ? BootRangeKind.MemblockDumpMemory : BootRangeKind.MemblockDumpReserved,
            range, type, detail.Length == 0 ? null : detail.ToString(), r));
        return true;
    }

    private static void MemoryLine(BootEvidence ev, ReadOnlySpan<char> s, LineRef r)
    {
        // "2044548K/2095104K available (12288K kernel code, …, 8192K cma-reserved)"
        int n = Scan.ReadDecimal(s, out long avail);
        if (n == 0 || n + 1 >= s.Length || s[n] != 'K' || s[n + 1] != '/') return;
        var rest = s[(n + 2)..];
        int m = Scan.ReadDecimal(rest, out long total);
        if (m == 0) return;
        var parts = new Dictionary<string, ulong>(StringComparer.Ordinal);
        int open = rest.IndexOf('(');
        if (open >= 0)
        {
            var inner = rest[(open + 1)..];
            int close = inner.LastIndexOf(')');
            if (close >= 0) inner = inner[..close];
            foreach (var range in inner.Split(", "))
            {
                var part = inner[range].Trim();
                int k = Scan.ReadDecimal(part, out long v);
                if (k == 0 || k >= part.Length || part[k] != 'K') continue;
                parts[part[(k + 1)..].Trim().ToString()] = (ulong)Math.Max(0, v);
            }
        }
        ev.Memory ??= new MemoryLine((ulong)Math.Max(0, avail), (ulong)Math.Max(0, total), parts, r);
    }

    private static void ReservedMemory(BootEvidence ev, State st, ReadOnlySpan<char> s, LineRef r)
    {
        if (Scan.After(s, "created ", out var created))
        {
            // "CMA memory pool at %pa, size %ld MiB" / "DMA memory pool at …" / "restricted DMA pool at …"
            var kind = created.StartsWith("CMA") ? BootRangeKind.CmaPool : created.StartsWith("restricted") ? BootRangeKind.RestrictedDmaPool : BootRangeKind.DmaPool;
            int at = created.IndexOf(" at ");
            if (at < 0) return;
            var v = created[(at + 4)..];
            int n = Scan.ReadHex(v, out ulong baseAddr);
            if (n == 0) return;
            int sz = v.IndexOf("size ");
            if (sz < 0) return;
            if (Scan.ReadDecimal(v[(sz + 5)..], out long mib) == 0 || mib < 0) return;
            ev.RangeList.Add(new BootRange(kind, PrintedRange.FromBaseSize(baseAddr, (ulong)mib << 20), null, null, r) { SizeRoundedToMiB = true });
            st.PendingPool = ev.RangeList.Count - 1;
            return;
        }
        if (Scan.After(s, "failed to reserve memory for node ", out var failed))
        {
            // "'%s': base %pa, size %lu MiB"
            string name = Quoted(failed);
            int b = failed.IndexOf("base ");
            int sz = failed.IndexOf("size ");
            if (b < 0 || sz < 0 || Scan.ReadHex(failed[(b + 5)..], out ulong baseAddr) == 0 || Scan.ReadDecimal(failed[(sz + 5)..], out long mib) == 0) return;
            ev.RangeList.Add(new BootRange(BootRangeKind.ReserveFailed, PrintedRange.FromBaseSize(baseAddr, (ulong)Math.Max(0, mib) << 20), name, null, r) { SizeRoundedToMiB = true });
            return;
        }
        var kindMsg = s switch
        {
            _ when s.StartsWith("unsupported node format") => BootMessageKind.RmemUnsupportedFormat,
            _ when s.StartsWith("incorrect alignment of CMA region") => BootMessageKind.RmemIncorrectCmaAlignment,
            _ when s.StartsWith("unable to setup CMA region") => BootMessageKind.RmemUnableToSetupCma,
            _ when s.StartsWith("bypass ") => BootMessageKind.RmemBypassedForCmdline,
            _ when s.StartsWith("invalid ") => BootMessageKind.RmemInvalidProperty,
            _ when s.StartsWith("No reserved-memory node") => BootMessageKind.RmemNoNode,
            _ => BootMessageKind.Other,
        };
        string? node = kindMsg == BootMessageKind.RmemBypassedForCmdline ? Word(s["bypass ".Length..]) : kindMsg == BootMessageKind.RmemInvalidProperty ? Quoted(s) : null;
        ev.MessageList.Add(new BootMessage(kindMsg, node, s.ToString(), r));
    }

    private static bool RmemLine(BootEvidence ev, State st, ReadOnlySpan<char> s, LineRef r)
    {
        if (Scan.After(s, "initialized node ", out var init))
        {
            // "%s, compatible id %s"
            int comma = init.IndexOf(", compatible id ");
            string name = (comma < 0 ? init : init[..comma]).Trim().ToString();
            string? compat = comma < 0 ? null : init[(comma + 16)..].Trim().ToString();
            ev.MessageList.Add(new BootMessage(BootMessageKind.RmemInitialized, name, s.ToString(), r) { Detail = compat });
            if (st.PendingPool >= 0 && ev.RangeList[st.PendingPool].Name is null)
                ev.RangeList[st.PendingPool] = ev.RangeList[st.PendingPool] with { Name = name };
            st.PendingPool = -1;
            return true;
        }
        if (Scan.After(s, "node ", out var node) && node.Contains("compatible matching fail", StringComparison.Ordinal))
        {
            ev.MessageList.Add(new BootMessage(BootMessageKind.RmemCompatibleMatchFail, Word(node), s.ToString(), r));
            return true;
        }
        if (s.StartsWith("OVERLAP DETECTED!"))
        {
            st.OverlapPending = true;
            return true;
        }
        if (Scan.After(s, "failed to allocate memory for node ", out var alloc))
        {
            ev.MessageList.Add(new BootMessage(BootMessageKind.RmemAllocFailed, Quoted(alloc), s.ToString(), r));
            return true;
        }
        if (s.StartsWith("elfcorehdr is overlapped"))
        {
            ev.MessageList.Add(new BootMessage(BootMessageKind.ElfcorehdrOverlapped, null, s.ToString(), r));
            return true;
        }
        if (s.StartsWith("Reserving ") && s.Contains("for elfcorehdr", StringComparison.Ordinal))
        {
            Elfcorehdr(ev, s, r);
            return true;
        }
        if (s.StartsWith("too many") || s.StartsWith("not enough space"))
        {
            ev.MessageList.Add(new BootMessage(BootMessageKind.RmemTooMany, null, s.ToString(), r));
            return true;
        }
        if (s.StartsWith("0x"))
        {
            // "0x%pa..0x%pa (%lu KiB) nomap|map reusable|non-reusable name"
            int dots = s.IndexOf("..");
            if (dots < 0 || Scan.TryHex(s[..dots], out ulong a) is false) return false;
            var v = s[(dots + 2)..];
            int n = Scan.ReadHex(v, out ulong b);
            if (n == 0) return false;
            var tail = v[n..].Trim();
            int close = tail.IndexOf(") ");
            var words = close >= 0 ? tail[(close + 2)..].Trim() : tail;
            // "map reusable linux,cma": the last word is the node name, the rest are attributes
            int last = words.LastIndexOf(' ');
            string name = (last < 0 ? words : words[(last + 1)..]).ToString();
            string attrs = last < 0 ? "" : words[..last].ToString();
            ev.RangeList.Add(new BootRange(BootRangeKind.ReservedMemRegion, new PrintedRange(a, b), name, attrs, r));
            return true;
        }
        ev.MessageList.Add(new BootMessage(BootMessageKind.Other, null, s.ToString(), r));
        return true;
    }

    private static bool TryOverlap(BootEvidence ev, ReadOnlySpan<char> t, LineRef r)
    {
        // "%s (%pa--%pa) overlaps with %s (%pa--%pa)" with exclusive ends
        int with = t.IndexOf(" overlaps with ");
        if (with < 0) return false;
        bool ok = Side(t[..with], out var n1, out var r1) & Side(t[(with + 15)..], out var n2, out var r2);
        if (!ok) return false;
        ev.RangeList.Add(new BootRange(BootRangeKind.RmemOverlap, r1, n1, n2, r));
        ev.RangeList.Add(new BootRange(BootRangeKind.RmemOverlap, r2, n2, n1, r));
        return true;

        static bool Side(ReadOnlySpan<char> s, out string name, out PrintedRange range)
        {
            name = "";
            range = default;
            int open = s.LastIndexOf(" (");
            if (open < 0) return false;
            name = s[..open].Trim().ToString();
            var v = s[(open + 2)..];
            int n = Scan.ReadHex(v, out ulong a);
            if (n == 0 || !v[n..].StartsWith("--")) return false;
            if (Scan.ReadHex(v[(n + 2)..], out ulong endExclusive) == 0) return false;
            range = endExclusive > a ? new PrintedRange(a, endExclusive - 1) : PrintedRange.FromBaseSize(a, 0);
            return true;
        }
    }

    private static void Cma(BootEvidence ev, ReadOnlySpan<char> s, LineRef r)
    {
        if (Scan.After(s, "Reserved ", out var res))
        {
            // "%ld MiB at %pa[ on node %d]"
            int n = Scan.ReadDecimal(res, out long mib);
            int at = res.IndexOf(" at ");
            if (n == 0 || at < 0 || Scan.ReadHex(res[(at + 4)..].TrimStart(), out ulong baseAddr) == 0) return;
            int on = res.IndexOf(" on node ");
            string? detail = on < 0 ? null : res[(on + 1)..].Trim().ToString();
            ev.RangeList.Add(new BootRange(BootRangeKind.CmaReserved, PrintedRange.FromBaseSize(baseAddr, (ulong)Math.Max(0, mib) << 20), "reserved", detail, r) { SizeRoundedToMiB = true });
            return;
        }
        if (s.StartsWith("Failed to reserve"))
        {
            ev.MessageList.Add(new BootMessage(BootMessageKind.CmaFailed, null, s.ToString(), r));
            return;
        }
        if (Scan.After(s, "CMA area ", out var area) && area.Contains("could not be activated", StringComparison.Ordinal))
        {
            ev.MessageList.Add(new BootMessage(BootMessageKind.CmaNotActivated, Word(area), s.ToString(), r));
            return;
        }
        ev.MessageList.Add(new BootMessage(BootMessageKind.Other, "cma", s.ToString(), r));
    }

    private static void Elfcorehdr(BootEvidence ev, ReadOnlySpan<char> s, LineRef r)
    {
        // "Reserving %llu KiB of memory at 0x%llx for elfcorehdr" (5.4 arm64: "%lldKB")
        var v = s["Reserving ".Length..];
        int n = Scan.ReadDecimal(v, out long kib);
        int at = v.IndexOf(" at ");
        if (n == 0 || at < 0 || Scan.ReadHex(v[(at + 4)..], out ulong baseAddr) == 0) return;
        ev.RangeList.Add(new BootRange(BootRangeKind.Elfcorehdr, PrintedRange.FromBaseSize(baseAddr, (ulong)Math.Max(0, kib) << 10), "elfcorehdr", null, r));
    }

    private static void TryIomem(BootEvidence ev, State st, string text, LineRef r)
    {
        if (!IomemParser.TryLine(text, out int depth, out var range, out var name)) return;
        int parent = -1;
        // Walk back to the nearest shallower iomem entry.
        for (int i = st.IomemLast; i >= 0; i = ev.RangeList[i].Parent)
        {
            if (ev.RangeList[i].Depth < depth) { parent = i; break; }
        }
        ev.RangeList.Add(new BootRange(BootRangeKind.Iomem, range, name, null, r) { Depth = depth, Parent = parent });
        st.IomemLast = ev.RangeList.Count - 1;
    }

    private static string Quoted(ReadOnlySpan<char> s)
    {
        int a = s.IndexOf('\'');
        if (a < 0) return Word(s) ?? "";
        int b = s[(a + 1)..].IndexOf('\'');
        return b < 0 ? s[(a + 1)..].ToString() : s[(a + 1)..(a + 1 + b)].ToString();
    }

    private static string? Word(ReadOnlySpan<char> s)
    {
        // Node names contain commas ("linux,cma"), so only a space ends a word.
        s = s.Trim();
        int sp = s.IndexOf(' ');
        var w = (sp < 0 ? s : s[..sp]).TrimEnd(',');
        return w.Length == 0 ? null : w.ToString();
    }
}
