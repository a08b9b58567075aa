using Dtmem.Kernel.Versions;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Ranges;

namespace Dtmem.Layout.Model;

/// <summary>/reserved-memory and /memreserve/ processing (kernel-memory-spec §2), per family.</summary>
internal sealed partial class Simulation
{
    private const int ENOENT = -2, EBUSY = -16, EINVAL = -22, ENOSPC = -28;
    private const int MaxDynamicRegions = 64;

    /// <summary>An entry of reserved_mem[].</summary>
    private sealed class RmemEntry(ReservedRegionNode node, ulong base_, ulong size)
    {
        public ReservedRegionNode Node { get; } = node;
        public ulong Base { get; set; } = base_;
        public ulong Size { get; set; } = size;
        public AddressRange Range => AddressRange.FromStartSizeSaturating(Base, Size);
    }

    private readonly List<RmemEntry> _array = [];

    private void SetOutcome(ReservedRegionNode node, Func<RegionOutcome, RegionOutcome> update) =>
        _outcomes[node] = update(_outcomes.TryGetValue(node, out var o) ? o : new RegionOutcome { Node = node, Status = RegionStatus.Reserved });

    /// <summary>
    /// The %pS caller of a static region's memblock_reserve. Inlining decides it: 5.4's __weak
    /// early_init_dt_reserve_memory_arch; real 6.1 logs show early_init_fdt_scan_reserved_mem, 6.12 fdt_scan_reserved_mem.
    /// </summary>
    private string ReserveCaller =>
        _rules.IsAtLeast(6, 12) ? "fdt_scan_reserved_mem" : _rules.IsAtLeast(6, 0) ? "early_init_fdt_scan_reserved_mem" : "early_init_dt_reserve_memory_arch";

    private string RmemPrefix => "OF: reserved mem: ";

    private void ScanReservedMemory()
    {
        _phase = BootPhase.ReservedMemoryScan;
        if (!_rules.MemreserveAfterStatic) ReserveMemreserves();

        var dynamics = new List<ReservedRegionNode>();
        var root = _in.ReservedMemory;
        if (root is not null && !RootFormatOk(root))
        {
            Emit("fdt_scan_reserved_mem", BootEventKind.RootFormatRejected, null,
                $"{_rules.ReserveRegPrefix}Reserved memory: unsupported node format, ignoring", KernelLogLevel.Error, subject: root.Path);
            foreach (var r in _in.Regions) _outcomes[r] = new RegionOutcome { Node = r, Status = RegionStatus.IgnoredByRoot };
        }
        else if (root is not null)
        {
            foreach (var child in _in.Regions)
            {
                if (!child.Available)
                {
                    _outcomes[child] = new RegionOutcome { Node = child, Status = RegionStatus.Disabled };
                    continue;
                }
                if (child.HasReg) { ReserveStatic(child); continue; }
                if (!child.HasSize)
                {
                    _outcomes[child] = new RegionOutcome { Node = child, Status = RegionStatus.NoPlacement, Why = "neither reg nor size: the kernel ignores the node" };
                    continue;
                }
                if (_rules.InitDuringScan)
                {
                    if (dynamics.Count == MaxDynamicRegions)
                    {
                        Emit("fdt_scan_reserved_mem", BootEventKind.TooManyRegions, null, $"{RmemPrefix}too many defined dynamic regions, skip '{child.Name}'",
                            KernelLogLevel.Error, subject: child.Name);
                        _outcomes[child] = new RegionOutcome { Node = child, Status = RegionStatus.AllocFailed, Init = InitStatus.NotRegistered, Why = "more than 64 dynamic regions" };
                        continue;
                    }
                    dynamics.Add(child);
                }
                else
                {
                    _outcomes[child] = new RegionOutcome { Node = child, Status = RegionStatus.Allocated };
                    SaveNode(new RmemEntry(child, 0, 0));
                }
            }
        }

        // Family E allocates and initialises dynamic regions right here, before /memreserve/.
        foreach (var d in dynamics)
            if (AllocateDynamic(d) is { } entry && SaveNode(entry)) InitNode(entry);

        if (_rules.MemreserveAfterStatic) ReserveMemreserves();
    }

    private bool RootFormatOk(ReservedMemoryRoot root) =>
        root.AddressCells == _in.RootAddressCells.Value && root.SizeCells == _in.RootSizeCells.Value && root.HasRanges;

    private void ReserveMemreserves()
    {
        foreach (var m in _in.MemReserves)
        {
            // The loop over the FDT reservation block stops at the first entry of size 0.
            if (m.Cells.Size == 0) break;
            MbReserve(m.Range, _rules.MemreserveAfterStatic ? "early_init_fdt_scan_reserved_mem" : ReserveCaller, $"/memreserve/ #{m.Index}");
            AddOwner(new RegionOwner(OwnerKind.MemReserve, $"/memreserve/ {SizeText.Hex(m.Cells.Base)}+{SizeText.Hex(m.Cells.Size)}", m.Range,
                "/memreserve/ entry", false, m.Span));
        }
    }

    /// <summary>__reserved_mem_reserve_reg: reserve (or no-map) every reg tuple; register the first (A–D).</summary>
    private void ReserveStatic(ReservedRegionNode child)
    {
        if (child.RegMalformed)
        {
            Emit("__reserved_mem_reserve_reg", BootEventKind.InvalidProperty, null,
                $"{_rules.ReserveRegPrefix}Reserved memory: invalid reg property in '{child.Name}', skipping node.", KernelLogLevel.Error, subject: child.Name);
            _outcomes[child] = new RegionOutcome { Node = child, Status = RegionStatus.Malformed, Why = "reg length is not a multiple of the root cells" };
            return;
        }
        var reserved = new List<AddressRange>();
        var failed = false;
        foreach (var t in child.Reg)
        {
            var r = t.Range;
            AddOwner(new RegionOwner(OwnerKind.ReservedRegion, child.Name, r, $"reg of {child.Path}", false, child.RegSpan, child));
            if (t.Size != 0 && ReserveRange(r, child))
            {
                reserved.Add(r);
                Emit("__reserved_mem_reserve_reg", BootEventKind.Note, r,
                    $"{_rules.ReserveRegPrefix}Reserved memory: reserved region for node '{child.Name}': base {Pa(t.Base)}, size {SizeText.KernelMiB(t.Size)} MiB",
                    KernelLogLevel.Debug, true, child.Name);
            }
            else
            {
                failed = true;
                Emit("__reserved_mem_reserve_reg", BootEventKind.RegionReserveFailed, r,
                    $"{_rules.ReserveRegPrefix}Reserved memory: failed to reserve memory for node '{child.Name}': base {Pa(t.Base)}, size {SizeText.KernelMiB(t.Size)} MiB",
                    _rules.FailedReserveLevel, subject: child.Name,
                    note: t.Size == 0 ? "size 0" : "-EBUSY: no-map over memory that is already reserved; the range stays mapped");
            }
        }
        _outcomes[child] = new RegionOutcome
        {
            Node = child,
            Status = failed ? RegionStatus.ReserveFailed : RegionStatus.Reserved,
            Range = child.Reg.Count > 0 ? child.Reg[0].Range : null,
            ReservedTuples = reserved,
        };
        if (!_rules.InitDuringScan && child.Reg.Count > 0) SaveNode(new RmemEntry(child, child.Reg[0].Base, child.Reg[0].Size));
    }

    /// <summary>early_init_dt_reserve_memory(_arch): false for -EBUSY.</summary>
    private bool ReserveRange(AddressRange r, ReservedRegionNode child)
    {
        if (!child.NoMap)
        {
            MbReserve(r, ReserveCaller, child.Name);
            return true;
        }
        if (_rules.NoMapRemoves)
        {
            foreach (var x in _mb.Memory.Intersect(r)) _removedByNoMap.Add(x);
            MbRemove(r, ReserveCaller);
            return true;
        }
        // Unknown RAM counts as RAM here: the check exists to protect memory.
        var overRam = !_memoryKnown || _mb.Memory.Overlaps(r);
        if (_mb.Reserved.Overlaps(r) && (!_rules.NoMapEbusyNeedsRam || overRam)) return false;
        MbMarkNoMap(r, child.Name);
        return true;
    }

    /// <summary>fdt_reserved_mem_save_node; false when reserved_mem[] is full.</summary>
    private bool SaveNode(RmemEntry entry)
    {
        if (!_rules.InitDuringScan && _array.Count == _rules.MaxReservedRegions)
        {
            var text = _rules.Family == VersionFamily.A ? "not enough space all defined regions." : "not enough space for all defined regions.";
            Emit("fdt_reserved_mem_save_node", BootEventKind.TooManyRegions, null, RmemPrefix + text, KernelLogLevel.Error, subject: entry.Node.Name);
            SetOutcome(entry.Node, o => o with { Init = InitStatus.NotRegistered, Why = $"reserved_mem[] holds {_rules.MaxReservedRegions} entries" });
            return false;
        }
        _array.Add(entry);
        return true;
    }

    // ---- fdt_init_reserved_mem (A–D) and the E unflatten pass -----------------------------------------

    private void InitReservedMemory()
    {
        _phase = BootPhase.ReservedMemoryInit;
        CheckOverlaps();
        foreach (var e in _array.ToList())
        {
            if (e.Size == 0)
            {
                if (AllocateDynamic(e.Node) is not { } placed) continue;
                e.Base = placed.Base;
                e.Size = placed.Size;
            }
            InitNode(e);
        }
    }

    private void UnflattenDeviceTree()
    {
        _phase = BootPhase.UnflattenDeviceTree;
        var root = _in.ReservedMemory;
        if (root is null)
        {
            Emit("fdt_scan_reserved_mem_reg_nodes", BootEventKind.Note, null, $"{RmemPrefix}Reserved memory: No reserved-memory node in the DT", KernelLogLevel.Info);
            return;
        }
        if (!RootFormatOk(root))
        {
            Emit("fdt_scan_reserved_mem_reg_nodes", BootEventKind.RootFormatRejected, null, $"{RmemPrefix}Reserved memory: unsupported node format, ignoring",
                KernelLogLevel.Error, subject: root.Path);
            return;
        }
        foreach (var child in _in.Regions)
        {
            if (!child.HasReg || !child.Available) continue;
            if (child.RegMalformed)
            {
                Emit("fdt_scan_reserved_mem_reg_nodes", BootEventKind.InvalidProperty, null,
                    $"{RmemPrefix}Reserved memory: invalid reg property in '{child.Name}', skipping node.", KernelLogLevel.Error, subject: child.Name);
                continue;
            }
            if (child.Reg.Count > 1)
                Emit("fdt_scan_reserved_mem_reg_nodes", BootEventKind.IgnoredRegTuples, null,
                    $"{RmemPrefix}fdt_scan_reserved_mem_reg_nodes() ignores {child.Reg.Count - 1} regions in node '{child.Name}'", KernelLogLevel.Warning, subject: child.Name);
            if (child.Reg.Count == 0 || child.Reg[0].Size == 0) continue;
            var entry = new RmemEntry(child, child.Reg[0].Base, child.Reg[0].Size);
            if (SaveNode(entry)) InitNode(entry);
        }
        CheckOverlaps();
    }

    /// <summary>__rmem_check_for_overlap: sort reserved_mem[], compare adjacent entries only, log.</summary>
    private void CheckOverlaps()
    {
        if (_array.Count < 2) return;
        var tieBreak = _rules.Family >= VersionFamily.D;
        Comparison<RmemEntry> cmp = (a, b) =>
        {
            var c = a.Base.CompareTo(b.Base);
            if (c == 0) c = a.Size.CompareTo(b.Size);
            if (c == 0 && tieBreak) c = a.Node.Index.CompareTo(b.Node.Index);
            return c;
        };
        if (tieBreak)
        {
            _array.Sort(cmp);
        }
        else
        {
            LibSort.Sort(_array, cmp);
            if (_array.Count(e => e.Size == 0) > 1)
                _assumptions.Add("several dynamic regions: their allocation order follows the kernel's lib/sort heapsort (5.4–5.11 have no tie-break)");
        }
        for (var i = 0; i + 1 < _array.Count; i++)
        {
            var a = _array[i];
            var b = _array[i + 1];
            if (a.Base + a.Size > b.Base)
                Emit("__rmem_check_for_overlap", BootEventKind.OverlapDetected, a.Range.Intersect(b.Range),
                    $"{RmemPrefix}OVERLAP DETECTED!\n{a.Node.Name} {a.Range.ToOverlapString()} overlaps with {b.Node.Name} {b.Range.ToOverlapString()}",
                    KernelLogLevel.Error, subject: a.Node.Name, note: b.Node.Name);
        }
    }
}
