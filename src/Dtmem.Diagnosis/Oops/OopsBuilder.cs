using Dtmem.Diagnosis.Esr;
using Dtmem.Diagnosis.Logs;
using Dtmem.Diagnosis.Pte;

namespace Dtmem.Diagnosis.Oops;

/// <summary>Accumulates the lines of one report into an <see cref="Oops"/>.</summary>
internal sealed class OopsBuilder
{
    private readonly Dictionary<OopsArch, int> score = [];
    private Section section;
    private Sourced<ulong>? dieEsrCandidate;
    private bool arm64TraceHeader;

    public OopsBuilder(LogLine first)
    {
        O = new Oops { Start = first.Ref, End = first.Ref };
        Caller = first.Caller;
        LastLine = first.Number;
    }

    public Oops O { get; }
    public Stage Stage { get; private set; }
    public bool Closed { get; set; }
    public string? Caller { get; }
    public int LastLine { get; private set; }

    public void Touch(LogLine line)
    {
        LastLine = line.Number;
        O.End = line.Ref;
    }

    private void Vote(OopsArch arch, int weight = 1)
    {
        if (arch == OopsArch.Unknown) return;
        score[arch] = score.GetValueOrDefault(arch) + weight;
    }

    /// <summary>True when <paramref name="h"/> repeats this report's fault line (some kernels print it twice).</summary>
    public bool IsRepeatOf(Header h) =>
        Stage == Stage.Header && h.Address is not null && O.FaultAddress?.Value == h.Address && O.FaultDescription?.Value == h.Description;

    /// <summary>Only a die line was seen (nothing before or after it).</summary>
    public bool DieOnly => Stage == Stage.Die && O.FaultDescription is null && O.Comm is null && O.Pc is null && O.AbortInfo.Count == 0;

    public void ApplyHeader(Header h, LogLine line)
    {
        Touch(line);
        Stage = Stage.Header;
        section = Section.None;
        // A BUG/WARNING header after "cut here" keeps the cut-here line as the start.
        if (O.Kind != OopsKind.Bug || h.Kind != OopsKind.Warning) O.Kind = h.Kind;
        Vote(h.ArchHint, 2);
        if (h.Description is not null) O.FaultDescription ??= new(h.Description, line.Ref);
        if (h.Address is { } va)
        {
            O.FaultAddress = new(va, line.Ref);
            if (h.AddressDigits == 16) Vote(OopsArch.Arm64);
        }
        if (h.Location is not null) O.BugLocation = new(h.Location, line.Ref);
        if (h.Cpu is { } cpu) O.Cpu ??= new(cpu, line.Ref);
        if (h.Pid is { } pid) O.Pid ??= new(pid, line.Ref);
        if (h.Code is { } code) O.Esr ??= new(code, line.Ref);
    }

    public void ApplyDie(DieLine die, LogLine line)
    {
        Touch(line);
        Stage = Stage.Die;
        section = Section.None;
        O.DieLine = new(line.Text.Trim(), line.Ref);
        O.OopsNumber = new(die.Number, line.Ref);
        if (die.Flags.Length > 0) O.DieFlags = new(die.Flags, line.Ref);
        if (die.Code is { } code)
        {
            O.DieCode = new(code, line.Ref);
            // arm64 die() passes the ESR; arm passes the FSR (3 digits), x86 the error code (4 digits).
            if (die.InternalError && die.CodeDigits >= 8) dieEsrCandidate = new(code, line.Ref);
        }
        if (die.Flags.Contains("ARM", StringComparison.Ordinal) || die.Flags.Contains("THUMB", StringComparison.Ordinal)) Vote(OopsArch.Arm, 3);
        if (die.InternalError && die.CodeDigits >= 8) Vote(OopsArch.Arm64, 2);
        if (!die.InternalError && die.Message.StartsWith("Oops", StringComparison.Ordinal) && die.Code is null) Vote(OopsArch.RiscV);
        if (!die.InternalError && die.CodeDigits == 4) Vote(OopsArch.X86_64);
        if (die.Message.Contains("BUG", StringComparison.Ordinal) && O.Kind == OopsKind.InternalError) O.Kind = OopsKind.Bug;
        // x86 die(): "general protection fault, probably for non-canonical address 0x…: 0000 [#1]" (5.3+), with "Oops: "
        // in front since 6.9. The address is the one the faulting instruction computed.
        var gp = die.Message.AsSpan();
        if (gp.StartsWith("Oops: ")) gp = gp[6..];
        if (!die.InternalError && gp.StartsWith("general protection fault"))
        {
            O.FaultDescription ??= new("general protection fault", line.Ref);
            int at = gp.IndexOf("address 0x");
            if (at >= 0 && Scan.ReadHex(gp[(at + 10)..], out ulong gpa) > 0) O.FaultAddress ??= new(gpa, line.Ref);
        }
        // "Internal error: ttbr address size fault: 96000040" names the fault when the header ("Unhandled fault at") did not.
        if (die.InternalError && O.FaultDescription is null && O.Kind == OopsKind.PageFault && !die.Message.StartsWith("Oops", StringComparison.Ordinal))
            O.FaultDescription = new(die.Message, line.Ref);
    }

    /// <summary>Lines printed after the report proper: panic tail, kdb entry, end markers.</summary>
    public bool TryTrailer(ReadOnlySpan<char> t, LogLine line)
    {
        if (line.Number - LastLine > MaxTrailerGap) return false;
        if (Scan.After(t, "---[ end trace", out _) || Scan.After(t, "---[ end Kernel panic", out _))
        {
            O.EndTrace ??= new(t.Trim().ToString(), line.Ref);
            Closed = true;
        }
        else if (Scan.After(t, "Kernel Offset:", out var ko)) O.KernelOffset = new(ko.Trim().ToString(), line.Ref);
        else if (Scan.After(t, "PHYS_OFFSET:", out var po))
        {
            if (Scan.ReadHex(po.Trim(), out ulong v) > 0) O.PhysOffset = new(v, line.Ref);
        }
        else if (Scan.After(t, "CPU features:", out var cf)) O.CpuFeatures = new(cf.Trim().ToString(), line.Ref);
        else if (Scan.After(t, "Memory Limit:", out var ml)) O.MemoryLimit = new(ml.Trim().ToString(), line.Ref);
        else if (t.StartsWith("Entering kdb")) O.KdbEntry = line.Ref;
        else return false;
        Touch(line);
        return true;
    }

    private const int MaxTrailerGap = 40;

    public void ApplyBody(ReadOnlySpan<char> t, LogLine line)
    {
        if (section is Section.MemAbort or Section.DataAbort)
        {
            if (TryAbortPairs(t, line)) { Touch(line); return; }
            section = Section.None;
        }
        if (section is Section.CallTrace or Section.SkippedTrace)
        {
            if (TryFrame(t, line, record: section == Section.CallTrace)) { Touch(line); return; }
            section = Section.None;
        }
        if (Matched(t, line)) Touch(line);
    }

    private bool Matched(ReadOnlySpan<char> t, LogLine line)
    {
        var r = line.Ref;
        if (t.StartsWith("Mem abort info:")) { section = Section.MemAbort; Vote(OopsArch.Arm64, 3); return true; }
        if (t.StartsWith("Data abort info:")) { section = Section.DataAbort; Vote(OopsArch.Arm64, 3); return true; }
        if (t.StartsWith("Call trace:") || t.StartsWith("Call Trace:") || t.StartsWith("Backtrace:"))
        {
            // arm64 dump_backtrace() spells it "Call trace:"; x86 and riscv print "Call Trace:", arm "Backtrace:" or nothing.
            arm64TraceHeader = t.StartsWith("Call trace:");
            section = O.frames.Count == 0 ? Section.CallTrace : Section.SkippedTrace;
            return true;
        }
        if (Scan.After(t, "Modules linked in:", out var mods)) { O.Modules = new(Modules(mods), r); return true; }
        if (Scan.After(t, "CPU: ", out var cpu) && cpu.Length > 0 && char.IsAsciiDigit(cpu[0]))
        {
            if (cpu.Contains("PID:", StringComparison.Ordinal)) return CpuLine(cpu, r);
            if (cpu.Contains("ainted", StringComparison.Ordinal)) return OldCpuLine(cpu, r);
        }
        if (Scan.After(t, "Hardware name:", out var hw)) { O.Hardware = new(hw.Trim().ToString(), r); return true; }
        if (Scan.After(t, "pstate:", out var ps)) { O.Pstate = new(ps.Trim().ToString(), r); Vote(OopsArch.Arm64, 3); return true; }
        if (Scan.After(t, "PC is at ", out var pcAt)) { SetPc(pcAt, r); return true; }
        if (Scan.After(t, "LR is at ", out var lrAt)) { SetLr(lrAt, r); return true; }
        if (Scan.After(t, "RIP: ", out var rip)) { Vote(OopsArch.X86_64, 3); SetPc(StripSegment(rip), r); return true; }
        if (Scan.After(t, "IP: ", out var ip)) { Vote(OopsArch.X86_64); SetPc(ip, r); return true; }
        if (Scan.After(t, "#PF: ", out var pf)) { Vote(OopsArch.X86_64, 3); O.detailItems.Add(new(pf.Trim().ToString(), r)); return true; }
        if (Scan.After(t, "Code: ", out var code)) { O.Code ??= new(code.Trim().ToString(), r); return true; }
        if (t.StartsWith("pc : "))
        {
            var v = t[5..];
            if (v.Contains("lr :", StringComparison.Ordinal))
            {
                // arm: "pc : [<c01f3218>]    lr : [<c01f32a0>]    psr: 60000013"; arm64 ≤4.x: "… pstate: 80000145"
                Vote(v.Contains("pstate:", StringComparison.Ordinal) ? OopsArch.Arm64 : OopsArch.Arm, 2);
                Registers(t, r);
                if (Scan.TryLocation(v[..v.IndexOf("lr :")], out var pcl, out _)) SetPc(pcl, r);
                return true;
            }
            SetPc(v, r);
            return true;
        }
        if (Scan.After(t, "lr : ", out var lr) && !lr.Contains(" : ", StringComparison.Ordinal)) { SetLr(lr, r); return true; }
        if (Scan.After(t, "epc : ", out var epc) && epc.Contains('+')) { Vote(OopsArch.RiscV, 3); SetPc(epc, r); return true; }
        if (Scan.After(t, "ra : ", out var ra) && ra.Contains('+')) { Vote(OopsArch.RiscV, 2); SetLr(ra, r); return true; }
        if (Scan.After(t, "sp : ", out var sp) && Scan.ReadHex(sp, out ulong spv) == 16 && sp.Trim().Length == 16) { O.Sp = new(spv, r); return true; }
        if (t.Contains(" pgtable: ", StringComparison.Ordinal) && t.Contains("pages,", StringComparison.Ordinal)) return PageTable(t, r);
        if (Scan.After(t, "pgd = ", out var pgd))
        {
            // show_pte() printed "pgd = %p" on arm and on arm64 up to 4.14; a 64-bit pointer tells them apart.
            Vote(OopsLines.FirstToken(pgd).Length == 16 ? OopsArch.Arm64 : OopsArch.Arm, 3);
            return true;
        }
        if (Scan.After(t, "Process ", out var proc) && proc.Contains("(pid: ", StringComparison.Ordinal)) return ProcessLine(proc, r);
        if (t.Length > 2 && t[0] == '[' && TryWalk(t, r)) return true;
        if (t.StartsWith("Tainted: [") || t.StartsWith("Entering kdb") || t.StartsWith("due to oops")) return true;
        if (t.StartsWith("Flags: ") || t.StartsWith("Control: ")) { Vote(OopsArch.Arm, 2); return true; }
        return Registers(t, r);
    }

    private static ReadOnlySpan<char> StripSegment(ReadOnlySpan<char> s)
    {
        // "0010:func+0x1/0x2" -> "func+0x1/0x2"
        s = s.Trim();
        return s.Length > 5 && s[4] == ':' && Scan.TryHex(s[..4], out _) ? s[5..] : s;
    }

    private void SetPc(ReadOnlySpan<char> s, LineRef r)
    {
        if (Scan.TryLocation(s, out var loc, out _)) SetPc(loc, r);
    }

    private void SetPc(CodeLocation loc, LineRef r)
    {
        // A symbolic location wins over a bare address (arm prints both "PC is at" and "pc : [<…>]").
        if (O.Pc is { } prev && prev.Value.Symbol is not null && loc.Symbol is null)
        {
            O.Pc = new(prev.Value with { Address = prev.Value.Address ?? loc.Address }, prev.Source);
            return;
        }
        if (O.Pc is { } p2 && loc.Symbol is not null && loc.Address is null && p2.Value.Address is not null) loc = loc with { Address = p2.Value.Address };
        O.Pc = new(loc, r);
    }

    private void SetLr(ReadOnlySpan<char> s, LineRef r)
    {
        if (!Scan.TryLocation(s, out var loc, out _)) return;
        if (O.Lr is { } prev && prev.Value.Symbol is not null && loc.Symbol is null) return;
        O.Lr = new(loc, r);
    }

    private static List<string> Modules(ReadOnlySpan<char> s)
    {
        var list = new List<string>();
        foreach (var range in s.Split(' '))
        {
            var tok = s[range];
            if (tok.Length == 0) continue;
            if (tok[0] == '[') break; // "[last unloaded: x]"
            int paren = tok.IndexOf('(');
            if (paren > 0) tok = tok[..paren];
            if (tok.EndsWith(">")) continue; // journald cut the line
            list.Add(tok.ToString());
        }
        return list;
    }

    private bool CpuLine(ReadOnlySpan<char> s, LineRef r)
    {
        int n = Scan.ReadDecimal(s, out long cpu);
        if (n == 0) return false;
        // The first CPU line is the faulting task's; later ones are reprints (kdb) or other CPUs.
        if (O.Comm is not null) return true;
        O.Cpu = new((int)cpu, r);
        int pidAt = s.IndexOf("PID: ");
        if (pidAt < 0) return true;
        var p = s[(pidAt + 5)..];
        int m = Scan.ReadDecimal(p, out long pid);
        if (m > 0) O.Pid = new((int)pid, r);
        int commAt = p.IndexOf("Comm: ");
        if (commAt < 0) return true;
        var c = p[(commAt + 6)..];
        int notTainted = c.IndexOf(" Not tainted");
        int tainted = c.IndexOf(" Tainted: ");
        int cut = notTainted >= 0 && (tainted < 0 || notTainted < tainted) ? notTainted : tainted;
        // dump_stack_print_info() puts "Kdump: loaded " between the task name and the taint when a crash kernel is loaded.
        int kdump = c.IndexOf(" Kdump: loaded");
        int commEnd = kdump >= 0 && (cut < 0 || kdump < cut) ? kdump : cut;
        O.Comm = new((commEnd < 0 ? c : c[..commEnd]).Trim().ToString(), r);
        if (cut >= 0) ReadTaintAndVersion(c, cut, cut == notTainted, r);
        return true;
    }

    /// <summary>arm and arm64 ≤4.x __die(): "Process modprobe (pid: 21682, stack limit = 0x…)". The CPU line, when
    /// printed, names the same task; this line is all that is left when only syslogd's wall messages were captured.</summary>
    private bool ProcessLine(ReadOnlySpan<char> s, LineRef r)
    {
        int at = s.LastIndexOf(" (pid: ");
        if (at <= 0) return false;
        if (Scan.ReadDecimal(s[(at + 7)..], out long pid) == 0) return false;
        O.Comm ??= new(s[..at].ToString(), r);
        O.Pid ??= new((int)pid, r);
        return true;
    }

    /// <summary>2.6/3.x: "CPU: 1    Not tainted  (3.0.31-CM-g8c1c4c6 #1)" / "CPU: 0    Tainted: G   O  (3.4.0 #2)".</summary>
    private bool OldCpuLine(ReadOnlySpan<char> s, LineRef r)
    {
        int n = Scan.ReadDecimal(s, out long cpu);
        if (O.Cpu is not null) return true;
        O.Cpu = new((int)cpu, r);
        int notTainted = s.IndexOf(" Not tainted");
        int tainted = s.IndexOf(" Tainted: ");
        int cut = notTainted >= 0 ? notTainted : tainted;
        if (cut < n) return true;
        int open = s[cut..].IndexOf('(');
        var taint = open < 0 ? s[cut..] : s[cut..(cut + open)];
        O.Taint = new(taint.Trim().ToString(), r);
        if (open < 0) return true;
        var ver = OopsLines.FirstToken(s[(cut + open + 1)..]).TrimEnd(')');
        if (ver.Length > 0) O.KernelVersion = new(ver.ToString(), r);
        return true;
    }

    private void ReadTaintAndVersion(ReadOnlySpan<char> c, int cut, bool isNotTainted, LineRef r)
    {
        ReadOnlySpan<char> after;
        if (isNotTainted)
        {
            O.Taint = new("Not tainted", r);
            after = c[(cut + " Not tainted".Length)..];
        }
        else
        {
            after = c[(cut + " Tainted: ".Length)..];
            // print_tainted() pads a fixed-width row of flag letters with spaces ("G           OE     "); the release
            // that follows is the first token containing a digit.
            int i = 0;
            var flags = new System.Text.StringBuilder();
            while (i < after.Length)
            {
                while (i < after.Length && after[i] == ' ') i++;
                int j = i;
                while (j < after.Length && after[j] != ' ') j++;
                if (j == i || after[i..j].ContainsAnyInRange('0', '9')) break;
                flags.Append(after[i..j]);
                i = j;
            }
            O.Taint = new("Tainted: " + flags, r);
            after = after[i..];
        }
        var ver = OopsLines.FirstToken(after);
        if (ver.Length > 0 && !ver.StartsWith("#")) O.KernelVersion = new(ver.ToString(), r);
    }

    private bool PageTable(ReadOnlySpan<char> t, LineRef r)
    {
        // "swapper pgtable: 4k pages, 48-bit VAs, pgdp=00000000112a0000" (pgdp = … / pgd = … on 4.x)
        int colon = t.IndexOf(" pgtable: ");
        var table = t[..colon].Trim().ToString();
        var rest = t[(colon + 10)..];
        int k = Scan.ReadDecimal(rest, out long pageK);
        if (k == 0) return false;
        var granule = pageK switch { 16 => PageGranule.Size16K, 64 => PageGranule.Size64K, _ => PageGranule.Size4K };
        int vaAt = rest.IndexOf("pages, ");
        int vaBits = 48;
        if (vaAt >= 0 && Scan.ReadDecimal(rest[(vaAt + 7)..], out long vb) > 0) vaBits = (int)vb;
        ulong? pgdp = null;
        int pg = rest.IndexOf("pgd");
        if (pg >= 0)
        {
            var v = rest[pg..];
            int eq = v.IndexOf('=');
            if (eq >= 0 && Scan.ReadHex(v[(eq + 1)..].TrimStart(), out ulong pv) > 0) pgdp = pv;
        }
        O.PageTable = new(new PageTableInfo(table, granule, vaBits, pgdp), r);
        Vote(OopsArch.Arm64, 2);
        return true;
    }

    private bool TryWalk(ReadOnlySpan<char> t, LineRef r)
    {
        // "[ffff000010080000] pgd=000000007eff8003, pud=…, pmd=…, pte=0060000010080793"; arm: "[0000000c] *pgd=0d3e2831, *pte=…"
        int close = t.IndexOf("] ");
        if (close < 2 || !Scan.TryHex(t[1..close], out ulong va)) return false;
        var rest = t[(close + 2)..];
        if (rest.StartsWith("address between user and kernel address ranges"))
        {
            O.FaultAddress ??= new(va, r);
            Vote(OopsArch.Arm64, 2);
            return true;
        }
        if (!(rest.StartsWith("pgd=") || rest.StartsWith("*pgd="))) return false;
        O.FaultAddress ??= new(va, r);
        foreach (var range in rest.Split(','))
        {
            var part = rest[range].Trim();
            int eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var name = part[..eq].TrimStart('*').ToString();
            if (Scan.ReadHex(part[(eq + 1)..], out ulong v) == 0) continue;
            O.walkItems.Add(new WalkEntry(name, v, null));
        }
        O.WalkSource = r;
        return true;
    }

    private bool TryAbortPairs(ReadOnlySpan<char> t, LogLine line)
    {
        // "EC = 0x25: DABT (current EL), IL = 32 bits" / "CM = 0, WnR = 1, TnD = 0, TagAccess = 0"
        if (!t.Contains(" = ", StringComparison.Ordinal)) return false;
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var range in t.Split(", "))
        {
            var part = t[range];
            int eq = part.IndexOf(" = ");
            if (eq <= 0) return false;
            pairs.Add(new(part[..eq].Trim().ToString(), part[(eq + 3)..].Trim().ToString()));
        }
        foreach (var p in pairs)
        {
            O.abortItems.Add(new(p, line.Ref));
            if (p.Key == "ESR" && Scan.ReadHex(p.Value, out ulong esr) > 0) O.Esr ??= new(esr, line.Ref);
        }
        return true;
    }

    private bool TryFrame(ReadOnlySpan<char> t, LogLine line, bool record)
    {
        int before = O.frames.Count;
        bool ok = TryFrame(t, line);
        if (!record && O.frames.Count > before) O.frames.RemoveRange(before, O.frames.Count - before);
        return ok;
    }

    private bool TryFrame(ReadOnlySpan<char> t, LogLine line)
    {
        t = t.Trim();
        if (t.Length == 0) return false;
        if (t[0] == '<' && t[^1] == '>' && t.Length < 12) return true; // <IRQ> </IRQ> <TASK> </TASK> <NMI> <EOI>
        if (t.StartsWith("Exception stack(") || t.StartsWith("---[")) return !t.StartsWith("---[");
        // arm unwinder register continuation (" r10:b774ef05 r9:00000000 …") and exception stack dumps ("7fa0: 00000000 …")
        if (IsArmRegisterContinuation(t) || IsHexDump(t)) return true;
        var s = t;
        // arm: "[<c01f3218>] (seq_vprintf+0x18/0x64) from [<c01f32a0>] (seq_printf+0x3c/0x5c)"; newer: "seq_vprintf from seq_printf+0x3c/0x5c"
        int from = s.IndexOf(" from ");
        if (from > 0)
        {
            var first = s[..from];
            if (first.StartsWith("[<"))
            {
                int c = first.IndexOf(">]");
                ulong? addr = c > 2 && Scan.TryHex(first[2..c], out ulong a) ? a : null;
                first = first[(c + 2)..].Trim().Trim('(').Trim(')');
                Vote(OopsArch.Arm);
                var loc = Scan.TryLocation(first, out var l, out _) ? l with { Address = addr } : new CodeLocation(first.ToString(), null, null, null, addr);
                O.frames.Add(new StackFrame(loc, false, line.Ref));
                return true;
            }
            if (!first.Contains(' '))
            {
                Vote(OopsArch.Arm);
                var loc = Scan.TryLocation(first, out var l, out _) ? l : new CodeLocation(first.ToString(), null, null, null, null);
                O.frames.Add(new StackFrame(loc, false, line.Ref));
                return true;
            }
        }
        // 6.x arm64 marks the frames that came from pt_regs: " (P)" pc, " (L)" lr, " (C)" current
        if (s.EndsWith(" (P)") || s.EndsWith(" (L)") || s.EndsWith(" (C)"))
        {
            s = s[..^4];
            Vote(OopsArch.Arm64);
        }
        if (s.StartsWith("el1h_64_") || s.StartsWith("el0t_64_") || s.StartsWith("el0_svc") || s.StartsWith("__arm64_")) Vote(OopsArch.Arm64);
        if (!Scan.TryLocation(s, out var location, out bool unreliable)) return false;
        // A bare "symbol+0x…/0x…" frame (arm frames carry " from ") under "Call trace:" is arm64's format.
        if (arm64TraceHeader && !s.StartsWith("[<")) Vote(OopsArch.Arm64);
        O.frames.Add(new StackFrame(location, unreliable, line.Ref));
        return true;
    }

    private static bool IsArmRegisterContinuation(ReadOnlySpan<char> t) =>
        t.Length > 4 && t[0] == 'r' && char.IsAsciiDigit(t[1]) && (t[2] == ':' || (char.IsAsciiDigit(t[2]) && t[3] == ':'));

    private static bool IsHexDump(ReadOnlySpan<char> t)
    {
        int colon = t.IndexOf(": ");
        return colon is >= 4 and <= 16 && Scan.TryHex(t[..colon], out _) && !t[..colon].Contains(' ');
    }

    /// <summary>Register dump line: only `name: hex` / `name : hex` pairs (x86 `RSP: 0018:ffff…` keeps the second value).</summary>
    private bool Registers(ReadOnlySpan<char> t, LineRef r)
    {
        var found = new List<(string Name, ulong Value)>();
        int i = 0;
        while (i < t.Length)
        {
            while (i < t.Length && t[i] == ' ') i++;
            if (i >= t.Length) break;
            int ns = i;
            while (i < t.Length && char.IsAsciiLetterOrDigit(t[i]) && i - ns < 8) i++;
            if (i == ns || !char.IsAsciiLetter(t[ns])) return false;
            var name = t[ns..i];
            while (i < t.Length && t[i] == ' ') i++;
            if (i >= t.Length || t[i] != ':') return false;
            i++;
            while (i < t.Length && t[i] == ' ') i++;
            if (i < t.Length && t[i] == '[' && t[i..].StartsWith("[<"))
            {
                int c = t[i..].IndexOf(">]");
                if (c < 0 || !Scan.TryHex(t[(i + 2)..(i + c)], out ulong av)) return false;
                found.Add((name.ToString(), av));
                i += c + 2;
                continue;
            }
            int n = Scan.ReadHex(t[i..], out ulong v);
            if (n < 4) return false;
            i += n;
            if (i < t.Length && t[i] == ':')
            {
                int m = Scan.ReadHex(t[(i + 1)..], out ulong v2);
                if (m == 0) return false;
                v = v2;
                i += 1 + m;
            }
            if (i < t.Length && t[i] != ' ') return false;
            found.Add((name.ToString(), v));
        }
        if (found.Count == 0) return false;
        foreach (var (name, value) in found)
        {
            O.registerMap[name] = new(value, r);
            if (name.Length >= 2 && name[0] == 'x' && char.IsAsciiDigit(name[1])) Vote(OopsArch.Arm64);
            else if (name.Length >= 2 && name[0] == 'r' && char.IsAsciiDigit(name[1])) Vote(OopsArch.Arm);
            else if (name is "RAX" or "RSP" or "RBP" or "R8" or "CR2") Vote(OopsArch.X86_64);
            else if (name is "badaddr" or "cause" or "status" or "epc" or "sepc" or "gp" or "tp" or "t0" or "s0" or "a0") Vote(OopsArch.RiscV);
            if ((name == "sp" || name == "RSP") && O.Sp is null) O.Sp = new(value, r);
        }
        return true;
    }

    public Oops Finish()
    {
        O.Arch = score.Count == 0 ? OopsArch.Unknown : score.MaxBy(kv => kv.Value).Key;
        if (O.Arch == OopsArch.Arm64)
        {
            if (O.Esr is null && dieEsrCandidate is not null) O.Esr = dieEsrCandidate;
            if (O.Esr is { } esr)
            {
                O.EsrDecoded = EsrDecoder.Decode(esr.Value);
                AbortCrossCheck.Run(O, dieEsrCandidate);
            }
            var pt = O.PageTable?.Value;
            for (int i = 0; i < O.walkItems.Count; i++)
            {
                var w = O.walkItems[i];
                O.walkItems[i] = w with { Decoded = PteDecoder.Decode(w.Value, w.Level, pt?.Granule ?? PageGranule.Size4K, pt?.VaBits == 52 ? 52 : 48, pt?.VaBits ?? 48) };
            }
            var leaf = O.walkItems.Count > 0 ? O.walkItems[^1].Decoded : null;
            if (leaf is { OutputAddress: { } oa, MappedSize: { } size } && O.FaultAddress is { } far && O.WalkSource is not null)
                O.WalkPhysicalAddress = new(oa | (far.Value & (size - 1)), O.WalkSource);
        }
        else if (O.Arch == OopsArch.RiscV)
        {
            if (O.registerMap.TryGetValue("badaddr", out var bad) && O.FaultAddress is null) O.FaultAddress = bad;
            if (O.Pc is null && (O.registerMap.TryGetValue("epc", out var epc) || O.registerMap.TryGetValue("sepc", out epc)))
                O.Pc = new(new CodeLocation(null, null, null, null, epc.Value), epc.Source);
            if (O.Lr is null && O.registerMap.TryGetValue("ra", out var ra))
                O.Lr = new(new CodeLocation(null, null, null, null, ra.Value), ra.Source);
        }
        return O;
    }
}
