using System.Buffers.Binary;
using Dtmem.Kernel.Image;
using Dtmem.Kernel.Symbols;
using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using ELFSharp.ELF.Segments;

namespace Dtmem.Kernel.Elf;

/// <summary>
/// An arm64 vmlinux (ELF64, little-endian, EM_AARCH64): the image-bounding symbols, the load address of its first
/// PT_LOAD segment, the entry point and the linux_banner string.
/// </summary>
public sealed record VmlinuxFile
{
    private const ushort EmAarch64 = 183;

    public required string Path { get; init; }
    public required KernelSymbols Symbols { get; init; }

    /// <summary>Virtual address of the first PT_LOAD segment (KIMAGE_VADDR on arm64, where _text is linked).</summary>
    public required Fact<ulong> LoadAddress { get; init; }

    /// <summary>p_paddr of that segment (arm64 links vmlinux with p_paddr = p_vaddr, so it is not a physical address).</summary>
    public required Fact<ulong> LoadPhysicalAddress { get; init; }

    public required Fact<ulong> EntryPoint { get; init; }

    public Fact<string>? Banner { get; init; }

    /// <summary>Reads and validates a vmlinux.</summary>
    public static VmlinuxFile Read(string path)
    {
        if (!File.Exists(path))
            throw new KernelInputException(path, "", "file not found", "Check the path given for vmlinux");
        var ident = new byte[Elf64HeaderSize];
        long length;
        using (var fs = File.OpenRead(path))
        {
            length = fs.Length;
            // The identification is judged first, so a short file of another kind is named for what it is not.
            if (fs.ReadAtLeast(ident, ident.Length, throwOnEndOfStream: false) < 0x14)
                throw KernelInputException.AtOffset(path, fs.Length, "file is shorter than an ELF header", "Pass the vmlinux of the kernel build");
        }
        if (ident[0] != 0x7f || ident[1] != (byte)'E' || ident[2] != (byte)'L' || ident[3] != (byte)'F')
            throw KernelInputException.AtOffset(path, 0, "no ELF magic (\\x7fELF)",
                "This is not a vmlinux; an arm64 Image (magic ARM\\x64 at 0x38) or Image.gz is read as the kernel Image instead");
        if (ident[4] != 2)
            throw KernelInputException.AtOffset(path, 4, "ELF class is not 64-bit", "Pass an arm64 (AArch64) vmlinux; 32-bit ARM kernels are not modelled");
        if (ident[5] != 1)
            throw KernelInputException.AtOffset(path, 5, "ELF data is big-endian", "Pass a little-endian arm64 vmlinux; big-endian arm64 is not modelled");
        var machine = BinaryPrimitives.ReadUInt16LittleEndian(ident.AsSpan(0x12));
        if (machine != EmAarch64)
            throw KernelInputException.AtOffset(path, 0x12, $"ELF machine is {machine}, not AArch64 (183)", "Pass the arm64 vmlinux of the kernel that boots on the board");

        if (length < Elf64HeaderSize)
            throw KernelInputException.AtOffset(path, length, "file is shorter than an ELF64 header (64 bytes)", Damaged);
        CheckTables(path, ident, length);

        // ELFSharp reports damage it meets with its own and the BCL's exceptions; they become located input errors.
        try
        {
            return Load(path);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException
                                       or IndexOutOfRangeException or OverflowException or FormatException or InvalidCastException
                                       or KeyNotFoundException)
        {
            throw new KernelInputException(path, "", $"the ELF structures are inconsistent ({e.Message.TrimEnd('.')})", Damaged, e);
        }
    }

    private const int Elf64HeaderSize = 0x40, SectionHeaderSize = 0x40, ProgramHeaderSize = 0x38, SymbolSize = 0x18;
    private const uint ShtSymtab = 2, ShtNobits = 8;
    private const string Damaged = "The file is truncated or damaged; copy it again from the build";

    /// <summary>
    /// Bounds the program and section header tables and every section's contents by the file before ELFSharp reads
    /// them: it trusts the counts, so one damaged e_shnum or sh_size makes it read (and allocate) gigabytes.
    /// </summary>
    private static void CheckTables(string path, ReadOnlySpan<byte> h, long length)
    {
        var file = (ulong)length;
        static bool Fits(ulong offset, ulong size, ulong file) => offset <= file && size <= file - offset;
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(h[0x20..]), shoff = BinaryPrimitives.ReadUInt64LittleEndian(h[0x28..]);
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(h[0x36..]), phnum = BinaryPrimitives.ReadUInt16LittleEndian(h[0x38..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(h[0x3a..]), shnum = BinaryPrimitives.ReadUInt16LittleEndian(h[0x3c..]);
        int shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(h[0x3e..]);
        if (phnum > 0 && (phentsize != ProgramHeaderSize || !Fits(phoff, (ulong)phnum * ProgramHeaderSize, file)))
            throw KernelInputException.AtOffset(path, 0x20, $"the program header table ({phnum} entries of {phentsize} bytes at 0x{phoff:x}) does not fit in the file", Damaged);
        if (shnum == 0)
            throw new KernelInputException(path, "", "no section headers, so no .symtab (the vmlinux is stripped)",
                "Use the unstripped vmlinux from the build tree, or the build's System.map");
        if (shentsize != SectionHeaderSize || !Fits(shoff, (ulong)shnum * SectionHeaderSize, file))
            throw KernelInputException.AtOffset(path, 0x28, $"the section header table ({shnum} entries of {shentsize} bytes at 0x{shoff:x}) does not fit in the file", Damaged);
        if (shstrndx >= shnum)
            throw KernelInputException.AtOffset(path, 0x3e, $"section name table index {shstrndx} is not below the section count {shnum}", Damaged);

        using var fs = File.OpenRead(path);
        // ELFSharp reads each segment's file contents up front: a damaged p_filesz made it allocate 1.1 GB (fuzzing).
        Span<byte> ph = stackalloc byte[ProgramHeaderSize];
        for (var i = 0; i < phnum; i++)
        {
            var at = (long)phoff + (long)i * ProgramHeaderSize;
            fs.Position = at;
            fs.ReadExactly(ph);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(ph[0x08..]), size = BinaryPrimitives.ReadUInt64LittleEndian(ph[0x20..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != 0 && !Fits(offset, size, file))
                throw KernelInputException.AtOffset(path, at + 0x20, $"segment {i}'s contents ({size} bytes at 0x{offset:x}) do not fit in the file", Damaged);
        }

        Span<byte> sh = stackalloc byte[SectionHeaderSize];
        for (var i = 0; i < shnum; i++)
        {
            var at = (long)shoff + (long)i * SectionHeaderSize;
            fs.Position = at;
            fs.ReadExactly(sh);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]), size = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x20..]);
            var link = BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            var entsize = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x38..]);
            // SHT_NULL too: ELFSharp reads a null section's contents like any other (256 MB for one fuzzed header).
            if (type != ShtNobits && !Fits(offset, size, file))
                throw KernelInputException.AtOffset(path, at + 0x18, $"section {i}'s contents ({size} bytes at 0x{offset:x}) do not fit in the file", Damaged);
            if (link >= shnum)
                throw KernelInputException.AtOffset(path, at + 0x28, $"section {i} links to section {link}, beyond the {shnum} sections", Damaged);
            if (type == ShtSymtab && entsize != SymbolSize)
                throw KernelInputException.AtOffset(path, at + 0x38, $"symbol table section {i} has entries of {entsize} bytes, not {SymbolSize}", Damaged);
        }
    }

    private static VmlinuxFile Load(string path)
    {
        if (!ELFReader.TryLoad(path, out IELF loaded) || loaded is not ELF<ulong> elf)
            throw KernelInputException.AtOffset(path, 0, "the ELF headers do not parse", Damaged);
        using (elf)
        {
            var table = elf.Sections.OfType<ISymbolTable>().FirstOrDefault(s => s.Name == ".symtab")
                ?? throw new KernelInputException(path, "", "no .symtab section (the vmlinux is stripped)",
                    "Use the unstripped vmlinux from the build tree, or the build's System.map");
            var byName = new Dictionary<string, SymbolEntry<ulong>>(StringComparer.Ordinal);
            foreach (var s in table.Entries.OfType<SymbolEntry<ulong>>())
                if (s.Name.Length > 0) byName.TryAdd(s.Name, s);

            Fact<ulong>? Sym(string name) =>
                byName.TryGetValue(name, out var e) ? Fact<ulong>.Known(e.Value, $"{path} .symtab ({name})") : null;
            var symbols = KernelSymbols.From(Sym);
            if (symbols.Text is null || symbols.End is null)
                throw new KernelInputException(path, "", $"no {(symbols.Text is null ? "_text" : "_end")} symbol in .symtab",
                    "This is not a Linux vmlinux, or its symbols were stripped; pass the build's vmlinux or System.map");

            var load = elf.Segments.OfType<Segment<ulong>>().FirstOrDefault(s => s.Type == SegmentType.Load)
                ?? throw new KernelInputException(path, "", "no PT_LOAD segment", "Pass the linked vmlinux, not an object file");

            return new VmlinuxFile
            {
                Path = path,
                Symbols = symbols,
                LoadAddress = Fact<ulong>.Known(load.Address, $"{path} first PT_LOAD p_vaddr"),
                LoadPhysicalAddress = Fact<ulong>.Known(load.PhysicalAddress, $"{path} first PT_LOAD p_paddr"),
                EntryPoint = Fact<ulong>.Known(elf.EntryPoint, $"{path} e_entry"),
                Banner = ReadBanner(elf, byName, path),
            };
        }
    }

    private static Fact<string>? ReadBanner(ELF<ulong> elf, Dictionary<string, SymbolEntry<ulong>> byName, string path)
    {
        // linux_banner points into .rodata; read the string at its address. Fall back to scanning .rodata.
        if (byName.TryGetValue("linux_banner", out var b) && b.PointedSection is Section<ulong> { Type: not SectionType.NoBits } sec
            && b.Value >= sec.LoadAddress && b.Value < sec.LoadAddress + sec.Size)
        {
            var contents = sec.GetContents();
            var at = (int)(b.Value - sec.LoadAddress);
            if (KernelImageFile.FindBanner(contents.AsSpan(at), path) is { } f)
                return Fact<string>.Known(f.Value, $"{path} linux_banner (0x{b.Value:x})");
        }
        foreach (var s in elf.Sections.OfType<Section<ulong>>())
            if (s.Name == ".rodata" && s.Type != SectionType.NoBits)
                return KernelImageFile.FindBanner(s.GetContents(), $"{path} .rodata");
        return null;
    }
}
