using System.Buffers.Binary;
using System.Text;
using Dtmem.DeviceTree.Model;

namespace Dtmem.DeviceTree.Overlay;

/// <summary>
/// Applies a compiled overlay (<c>dtc -@</c> output with fragments, <c>__fixups__</c>,
/// <c>__local_fixups__</c> and <c>__symbols__</c>) onto a base tree exactly as libfdt's
/// <c>fdt_overlay_apply</c> does for <c>fdtoverlay</c> (dtc 1.6.1), including its ordering: a new property
/// or subnode goes in front of the existing ones, an existing property is replaced where it stands.
/// Failures that fdtoverlay reports as a bare FDT_ERR_* code become a <see cref="DtException"/> naming the
/// symbol or path and pointing at the overlay's byte offset.
/// </summary>
public static partial class OverlayApplier
{
    /// <summary>
    /// Applies <paramref name="overlay"/> onto <paramref name="baseTree"/>, modifying the base in place
    /// (the overlay is left untouched). Like libfdt, a failure leaves the base partly modified: apply to a
    /// fresh copy when the original must survive. Applied properties and nodes keep the overlay's spans.
    /// </summary>
    public static void Apply(DtTree baseTree, DtTree overlay, string overlayName) => Apply(baseTree, overlay, overlayName, null);

    internal static void Apply(DtTree baseTree, DtTree overlay, string overlayName, Action<string>? propertyAdded)
    {
        var ctx = new Context(baseTree.Root, Copy(overlay.Root, null), overlayName, propertyAdded);
        var delta = MaxPhandle(ctx.Base);
        ctx.AdjustPhandles(ctx.Overlay, delta);
        if (LibfdtLookup.Subnode(ctx.Overlay, "__local_fixups__") is { } localFixups)
            ctx.UpdateLocalReferences(ctx.Overlay, localFixups, delta);
        if (LibfdtLookup.Subnode(ctx.Overlay, "__fixups__") is { } fixups)
            ctx.FixupPhandles(fixups);
        ctx.Merge();
        ctx.UpdateSymbols();
    }

    /// <summary>fdt_find_max_phandle: the largest phandle in the tree (0 when none).</summary>
    public static uint MaxPhandle(DtNode root)
    {
        uint max = 0;
        foreach (var n in root.DescendantsAndSelf()) max = Math.Max(max, LibfdtLookup.Phandle(n));
        return max;
    }

    private static DtNode Copy(DtNode node, DtNode? parent)
    {
        var copy = new DtNode(node.Name) { Parent = parent, Phandle = node.Phandle };
        copy.Spans.AddRange(node.Spans);
        foreach (var p in node.Properties)
        {
            var pc = new DtProperty(p.Name, (byte[])p.Value.Clone());
            pc.Spans.AddRange(p.Spans);
            copy.Properties.Add(pc);
        }
        foreach (var c in node.Children) copy.Children.Add(Copy(c, copy));
        return copy;
    }

    private sealed class Context(DtNode baseRoot, DtNode overlayRoot, string name, Action<string>? propertyAdded)
    {
        public DtNode Base { get; } = baseRoot;
        public DtNode Overlay { get; } = overlayRoot;

        private DtException Error(DtNode at, string message, string code) =>
            new(at.Span, $"overlay {name}: {message} (fdtoverlay: {code})");

        private DtException Error(DtProperty at, string message, string code) =>
            new(at.Span, $"overlay {name}: {message} (fdtoverlay: {code})");

        /// <summary>overlay_adjust_node_phandles: moves every overlay phandle past the base's largest.</summary>
        public void AdjustPhandles(DtNode node, uint delta)
        {
            foreach (var propName in (ReadOnlySpan<string>)["phandle", "linux,phandle"])
            {
                var p = node.Property(propName);
                if (p is null) continue;
                if (p.Value.Length != 4)
                    throw Error(p, $"{node.Path}: {propName} is {p.Value.Length} bytes, not one cell", "FDT_ERR_BADPHANDLE");
                var v = BinaryPrimitives.ReadUInt32BigEndian(p.Value);
                if (v + delta < v || v + delta == uint.MaxValue)
                    throw Error(p, $"{node.Path}: phandle 0x{v:x} + 0x{delta:x} (largest base phandle) overflows", "FDT_ERR_NOPHANDLES");
                BinaryPrimitives.WriteUInt32BigEndian(p.Value, v + delta);
            }
            node.Phandle = LibfdtLookup.Phandle(node);
            foreach (var c in node.Children) AdjustPhandles(c, delta);
        }

        /// <summary>overlay_update_local_node_references: __local_fixups__ mirrors the overlay and lists the
        /// byte offsets of phandle cells that point inside the overlay; each gets the same delta.</summary>
        public void UpdateLocalReferences(DtNode tree, DtNode fixup, uint delta)
        {
            foreach (var fp in fixup.Properties)
            {
                if (fp.Value.Length % 4 != 0)
                    throw Error(fp, $"__local_fixups__ entry {fixup.Path}:{fp.Name} is {fp.Value.Length} bytes, not a list of cells", "FDT_ERR_BADOVERLAY");
                var target = tree.Property(fp.Name)
                    ?? throw Error(fp, $"__local_fixups__ names property {tree.Path}:{fp.Name}, which the overlay does not have", "FDT_ERR_BADOVERLAY");
                for (var i = 0; i < fp.Value.Length; i += 4)
                {
                    var off = BinaryPrimitives.ReadUInt32BigEndian(fp.Value.AsSpan(i));
                    if (off > (uint)target.Value.Length || target.Value.Length - off < 4)
                        throw Error(fp, $"__local_fixups__ offset {off} is outside {tree.Path}:{fp.Name} ({target.Value.Length} bytes)", "FDT_ERR_BADOVERLAY");
                    var cell = target.Value.AsSpan((int)off, 4);
                    BinaryPrimitives.WriteUInt32BigEndian(cell, BinaryPrimitives.ReadUInt32BigEndian(cell) + delta);
                }
            }
            foreach (var fc in fixup.Children)
            {
                var tc = LibfdtLookup.Subnode(tree, fc.Name)
                    ?? throw Error(fc, $"__local_fixups__ names node {fc.Name} under {tree.Path}, which the overlay does not have", "FDT_ERR_BADOVERLAY");
                UpdateLocalReferences(tc, fc, delta);
            }
        }

        /// <summary>overlay_fixup_phandles: each __fixups__ property is a label of the base; its value lists
        /// "path:property:offset" cells of the overlay that get the phandle of the base node so labelled.</summary>
        public void FixupPhandles(DtNode fixups)
        {
            var symbols = LibfdtLookup.Path(Base, "/__symbols__");
            foreach (var fp in fixups.Properties)
            {
                var v = fp.Value;
                var start = 0;
                do
                {
                    var nul = Array.IndexOf(v, (byte)0, start);
                    if (nul < 0)
                        throw Error(fp, $"__fixups__ entry for '{fp.Name}' is not a list of NUL-terminated strings", "FDT_ERR_BADOVERLAY");
                    var entry = Encoding.UTF8.GetString(v, start, nul - start);
                    start = nul + 1;
                    FixupOne(fp, symbols, entry);
                }
                while (start < v.Length);
            }
        }

        private void FixupOne(DtProperty fp, DtNode? symbols, string entry)
        {
            var label = fp.Name;
            var c1 = entry.IndexOf(':');
            var c2 = c1 < 0 ? -1 : entry.IndexOf(':', c1 + 1);
            var offset = 0u;
            if (c1 < 0 || c1 == entry.Length - 1 || c2 < 0 || c2 == c1 + 1 || c2 == entry.Length - 1
                || entry.AsSpan(c2 + 1).ContainsAnyExceptInRange('0', '9') || !uint.TryParse(entry.AsSpan(c2 + 1), out offset))
                throw Error(fp, $"__fixups__ entry \"{entry}\" for '{label}' is not of the form path:property:offset", "FDT_ERR_BADOVERLAY");
            var path = entry[..c1];
            var propName = entry[(c1 + 1)..c2];

            if (symbols is null)
                throw Error(fp, $"symbol '{label}' (used at {path}:{propName}) cannot be resolved: the base has no /__symbols__ node; compile the base with dtc -@", "FDT_ERR_NOTFOUND");
            var symbol = LibfdtLookup.FirstProperty(symbols, label)
                ?? throw Error(fp, $"symbol '{label}' (used at {path}:{propName}) is not defined in the base's /__symbols__{Closest(symbols, label)}", "FDT_ERR_NOTFOUND");
            var symbolPath = LibfdtLookup.CString(symbol.Value);
            var target = LibfdtLookup.Path(Base, symbolPath)
                ?? throw Error(fp, $"symbol '{label}' points at {symbolPath}, which is not in the base tree", "FDT_ERR_NOTFOUND");
            var phandle = LibfdtLookup.Phandle(target);
            if (phandle == 0)
                throw Error(fp, $"symbol '{label}' points at {symbolPath}, which has no phandle", "FDT_ERR_NOTFOUND");

            var node = LibfdtLookup.Path(Overlay, path)
                ?? throw Error(fp, $"__fixups__ entry \"{entry}\" names node {path}, which the overlay does not have", "FDT_ERR_BADOVERLAY");
            var prop = LibfdtLookup.FirstProperty(node, propName)
                ?? throw Error(fp, $"__fixups__ entry \"{entry}\" names property {propName}, which {path} does not have", "FDT_ERR_NOTFOUND");
            if (offset > (uint)prop.Value.Length || prop.Value.Length - offset < 4)
                throw Error(fp, $"__fixups__ entry \"{entry}\": offset {offset} is outside the {prop.Value.Length}-byte property", "FDT_ERR_NOSPACE");
            BinaryPrimitives.WriteUInt32BigEndian(prop.Value.AsSpan((int)offset), phandle);
            if (prop.Name is "phandle" or "linux,phandle") node.Phandle = LibfdtLookup.Phandle(node);
        }

        /// <summary>"; did you mean 'x'?" for the base symbol nearest to a missing one (same bound as DTS references).</summary>
        private static string Closest(DtNode symbols, string label)
        {
            var nearest = new Dts.References.NearestName(label);
            foreach (var p in symbols.Properties) nearest.Offer(p.Name);
            return nearest.Result is { } best ? $"; did you mean '{best}'?" : "";
        }

        /// <summary>overlay_merge: every child of the overlay root that has an __overlay__ node is a fragment.</summary>
        public void Merge()
        {
            foreach (var fragment in Overlay.Children)
            {
                var body = LibfdtLookup.Subnode(fragment, "__overlay__");
                if (body is null) continue;
                ApplyNode(Target(fragment, out _), body);
            }
        }

        /// <summary>overlay_get_target: <c>target = &lt;phandle&gt;</c>, else <c>target-path = "..."</c>.</summary>
        private DtNode Target(DtNode fragment, out string? targetPath)
        {
            targetPath = null;
            var t = fragment.Property("target");
            if (t is not null)
            {
                var ph = t.Value.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(t.Value) : uint.MaxValue;
                if (ph == uint.MaxValue)
                    throw Error(t, $"{fragment.Path}: target is not a resolved phandle (unresolved reference or not one cell)", "FDT_ERR_BADPHANDLE");
                if (ph != 0)
                    return LibfdtLookup.ByPhandle(Base, ph)
                        ?? throw Error(t, $"{fragment.Path}: target phandle 0x{ph:x} is not in the base tree", "FDT_ERR_NOTFOUND");
            }
            var tp = fragment.Property("target-path")
                ?? throw Error(fragment, $"{fragment.Path} has an __overlay__ node but neither target nor target-path", "FDT_ERR_BADOVERLAY");
            targetPath = LibfdtLookup.CString(tp.Value);
            return LibfdtLookup.Path(Base, targetPath)
                ?? throw Error(tp, $"{fragment.Path}: target-path \"{targetPath}\" is not in the base tree", targetPath.StartsWith('/') ? "FDT_ERR_NOTFOUND" : "FDT_ERR_BADPATH");
        }

        /// <summary>overlay_apply_node: fdt_setprop for each property, fdt_add_subnode (or the existing one) for each child.</summary>
        private void ApplyNode(DtNode target, DtNode source)
        {
            foreach (var p in source.Properties) SetProperty(target, p);
            foreach (var s in source.Children)
            {
                var child = LibfdtLookup.Subnode(target, s.Name);
                if (child is null)
                {
                    child = new DtNode(s.Name) { Parent = target };
                    // fdt_add_subnode places a new node after the properties, i.e. before existing children.
                    target.Children.Insert(0, child);
                }
                child.Spans.AddRange(s.Spans);
                ApplyNode(child, s);
            }
        }

        /// <summary>fdt_setprop: replaces an existing value where it stands, else inserts the property first.</summary>
        private void SetProperty(DtNode target, DtProperty source)
        {
            var existing = target.Property(source.Name);
            if (existing is null)
            {
                propertyAdded?.Invoke(source.Name);
                existing = new DtProperty(source.Name, (byte[])source.Value.Clone());
                target.Properties.Insert(0, existing);
            }
            else
            {
                existing.Value = (byte[])source.Value.Clone();
                existing.Markers.Clear();
            }
            existing.Spans.AddRange(source.Spans);
            if (source.Name is "phandle" or "linux,phandle") target.Phandle = LibfdtLookup.Phandle(target);
        }

        /// <summary>overlay_symbol_update: an overlay symbol "/fragment/__overlay__/rel" becomes "target/rel" in the
        /// base's __symbols__ (created, as the first child of the root, when missing).</summary>
        public void UpdateSymbols()
        {
            var overlaySymbols = LibfdtLookup.Subnode(Overlay, "__symbols__");
            if (overlaySymbols is null) return;
            var symbols = LibfdtLookup.Subnode(Base, "__symbols__");
            if (symbols is null)
            {
                symbols = new DtNode("__symbols__") { Parent = Base };
                Base.Children.Insert(0, symbols);
            }
            foreach (var sp in overlaySymbols.Properties)
            {
                var v = sp.Value;
                if (v.Length < 1 || Array.IndexOf(v, (byte)0) != v.Length - 1)
                    throw Error(sp, $"__symbols__ entry '{sp.Name}' is not a single string", "FDT_ERR_BADVALUE");
                var path = Encoding.UTF8.GetString(v, 0, v.Length - 1);
                if (!path.StartsWith('/'))
                    throw Error(sp, $"__symbols__ entry '{sp.Name}' = \"{path}\" is not an absolute path", "FDT_ERR_BADVALUE");
                var slash = path.IndexOf('/', 1);
                if (slash < 0) continue; // not inside a fragment: never reaches the base
                var rest = path[slash..];
                string rel;
                if (rest.StartsWith("/__overlay__/", StringComparison.Ordinal))
                    rel = rest["/__overlay__/".Length..];
                else if (rest == "/__overlay__")
                    rel = "";
                else
                    continue;

                var fragment = LibfdtLookup.Subnode(Overlay, path.AsSpan(1, slash - 1));
                if (fragment is null || LibfdtLookup.Subnode(fragment, "__overlay__") is null)
                    throw Error(sp, $"__symbols__ entry '{sp.Name}' = \"{path}\" names no fragment with an __overlay__ node", "FDT_ERR_BADOVERLAY");
                var target = Target(fragment, out var targetPath);
                targetPath ??= target.Path;
                var value = (targetPath.Length > 1 ? targetPath : "") + "/" + rel;
                var symbol = new DtProperty(sp.Name, DtValue.FromString(value));
                symbol.Spans.AddRange(sp.Spans);
                SetProperty(symbols, symbol);
            }
        }
    }
}
