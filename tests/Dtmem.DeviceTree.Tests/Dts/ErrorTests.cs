using Dtmem.DeviceTree.Dts;
using Dtmem.DeviceTree.Model;
using static Dtmem.DeviceTree.Tests.Dts.DtsTestSupport;

namespace Dtmem.DeviceTree.Tests.Dts;

/// <summary>Every kind of bad input fails with a DtException at the offending token.</summary>
public class ErrorTests
{
    private const string H = "/dts-v1/;\n/ {\n";

    [Fact]
    public void MissingSemicolonSaysWhatWasExpectedAndFound() =>
        Fails(H + "\tfoo = <1>\n};\n", 4, 1, "syntax error: expected ';' to end property 'foo', found '}'");

    [Fact]
    public void SyntaxErrorsCarryTheSourceLineForACaret()
    {
        var e = Fails(H + "\tfoo = <1>\n};\n", 4, 1, "expected ';'");
        Assert.Equal("};", e.SourceLine);
        Assert.Equal("\tp = <0x10000000000000000>;", Fails(H + "\tp = <0x10000000000000000>;\n};\n", 3, 7, "out of range").SourceLine);
    }

    [Fact]
    public void BadCellTokenNamesTheCellList() =>
        Fails(H + "\tp = <1 2;\n};\n", 3, 10, "expected a number, '(' expression ')', a &reference or '>' in the cell list, found ';'");

    [Fact]
    public void UnknownLabelSuggestsNearestLabel() =>
        Fails(H + "\tuart0: serial { };\n\tuser { p = <&uart1>; };\n};\n", 4, 14,
            "reference to non-existent node or label &uart1 in property 'p' of /user; did you mean &uart0?");

    [Fact]
    public void UnknownLabelSuggestionIgnoresCase() =>
        Fails(H + "\tuart0: serial { };\n\tuser { p = <&UART0>; };\n};\n", 4, 14,
            "reference to non-existent node or label &UART0 in property 'p' of /user; did you mean &uart0?");

    [Fact]
    public void UnknownPathSuggestsNearestSibling() =>
        Fails(H + "\tserial@0 { };\n\tuser { p = &{/serial@1}; };\n};\n", 4, 13, "non-existent node or label &{/serial@1} in property 'p' of /user; did you mean &{/serial@0}?");

    [Fact]
    public void UnknownTopLevelReference() =>
        Fails("/dts-v1/;\n/ { };\n&missing { };\n", 3, 1, "label or path &missing not found");

    [Fact]
    public void UnknownDeleteNodeReference() =>
        Fails("/dts-v1/;\n/ { node: n { }; };\n/delete-node/ &nod;\n", 3, 15, "label or path &nod not found; did you mean &node?");

    [Fact]
    public void DuplicateLabel() =>
        Fails(H + "\tx: a { };\n\tx: b { };\n};\n", 4, 5, "duplicate label 'x' on node /b and node /a");

    [Fact]
    public void IntegerLiteralOutOfRange() =>
        Fails(H + "\tp = <0x10000000000000000>;\n};\n", 3, 7, "integer literal '0x10000000000000000' out of range");

    [Fact]
    public void OctalLiteralWithNineIsBad() =>
        Fails(H + "\tp = <09>;\n};\n", 3, 7, "bad integer literal '09'");

    [Fact]
    public void CellValueOutOfRangeIsAnErrorAsInDtc16() =>
        Fails(H + "\tp = <0x100000000>;\n};\n", 3, 7, "value 0x100000000 out of range for 32-bit array element");

    [Fact]
    public void ByteCellOutOfRange() =>
        Fails(H + "\tp = /bits/ 8 <256>;\n};\n", 3, 16, "out of range for 8-bit array element");

    [Fact]
    public void CellValueTruncatesWithWarningAsInDtc17WhenAsked()
    {
        var warnings = new List<string>();
        var options = new DtsCompileOptions { TruncateOutOfRangeCells = true };
        var tree = DtsCompiler.CompileText(H + "\tp = <0x100000002>;\n};\n", "t.dts", options, (_, m) => warnings.Add(m));
        Assert.Equal(new byte[] { 0, 0, 0, 2 }, tree.Root.Property("p")!.Value);
        Assert.Equal("value 0x0000000100000002 truncated to 0x00000002", Assert.Single(warnings));
    }

    [Fact]
    public void MissingIncludeFile() =>
        Fails("/dts-v1/;\n/include/ \"nope.dtsi\"\n/ { };\n", 2, 1, "/include/ file \"nope.dtsi\" not found");

    [Fact]
    public void MissingIncbinFile() =>
        Fails(H + "\tp = /incbin/(\"nope.bin\");\n};\n", 3, 15, "/incbin/ file \"nope.bin\" not found");

    [Fact]
    public void MissingVersionTag() =>
        Fails("/ { };\n", 1, 1, "missing '/dts-v1/;'");

    [Fact]
    public void DivisionByZero() =>
        Fails(H + "\tp = <(1 / 0)>;\n};\n", 3, 10, "division by zero");

    [Fact]
    public void ModuloByZero() =>
        Fails(H + "\tp = <(1 % (2 - 2))>;\n};\n", 3, 10, "division by zero");

    [Fact]
    public void PropertyAfterSubnode() =>
        Fails(H + "\ta { };\n\tp = <1>;\n};\n", 4, 2, "properties must precede subnodes");

    [Fact]
    public void ReferenceInSixteenBitArray() =>
        Fails(H + "\ta: a { };\n\tp = /bits/ 16 <&a>;\n};\n", 4, 17, "references are only allowed in arrays with 32-bit elements");

    [Fact]
    public void BadBitsSize() =>
        Fails(H + "\tp = /bits/ 12 <1>;\n};\n", 3, 13, "array elements must be 8, 16, 32 or 64-bits");

    [Fact]
    public void DepthLimit() =>
        Fails("/dts-v1/;\n/ { a { b { }; }; };\n", 2, 9, "nested deeper than 2 levels", new DtsCompileOptions { MaxDepth = 2 });

    [Fact]
    public void NodeCountLimit() =>
        Fails("/dts-v1/;\n/ { a { b { }; }; };\n", 2, 9, "more than 2 node definitions", new DtsCompileOptions { MaxNodes = 2 });

    [Fact]
    public void PropertySizeLimit() =>
        Fails(H + "\tp = <1 2>;\n};\n", 3, 2, "property 'p' is 8 bytes, more than the 4-byte 'property-size' limit", new DtsCompileOptions { MaxPropertySize = 4 });

    [Fact]
    public void DuplicateNodeNameInOneBlock() =>
        Fails(H + "\ta { };\n\ta { };\n};\n", 4, 2, "duplicate node name 'a' in /");

    [Fact]
    public void DuplicatePropertyNameInOneBlock() =>
        Fails(H + "\tp;\n\tp;\n};\n", 4, 2, "duplicate property name 'p' in /");

    [Fact]
    public void PhandlePointingAtAnotherNode() =>
        Fails(H + "\ta: a { };\n\tb { phandle = <&a>; };\n};\n", 4, 17, "'phandle' of /b is a reference to another node");

    [Fact]
    public void DuplicatedExplicitPhandle() =>
        Fails(H + "\ta { phandle = <5>; };\n\tb { phandle = <5>; };\n};\n", 4, 2, "duplicated phandle 0x5 in /b (seen before at /a)");

    [Fact]
    public void UnterminatedString() =>
        Fails(H + "\tp = \"abc;\n};\n", 3, 6, "unterminated string");

    [Fact]
    public void UnterminatedComment() =>
        Fails(H + "\t/* p;\n};\n", 3, 2, "unterminated comment");

    [Fact]
    public void UndefinedMacroShowsAsUnexpectedIdentifier() =>
        Fails(H + "\tp = <GPIO_ACTIVE_HIGH>;\n};\n", 3, 7, "unexpected identifier 'GPIO_ACTIVE_HIGH' (an undefined macro, or a missing #include?)");

    [Fact]
    public void EmptyCharacterLiteral() =>
        Fails(H + "\tp = <''>;\n};\n", 3, 7, "empty character literal");

    [Fact]
    public void LabelRelativeReferenceInPlugin() =>
        Fails("/dts-v1/;\n/plugin/;\n&{foo/bar} { };\n", 3, 1, "label-relative reference &{foo/bar} is not supported in a plugin");

    [Fact]
    public void BadNodeNameCharacter() =>
        Fails(H + "\tbad#name { };\n};\n", 3, 2, "bad character '#' in node name 'bad#name'");

    [Fact]
    public void BadPropertyNameCharacter() =>
        Fails(H + "\tbad@prop = <1>;\n};\n", 3, 2, "bad character '@' in property name 'bad@prop'");

    [Fact]
    public void TwoAtSignsInNodeName() =>
        Fails(H + "\tn@1@2 { };\n};\n", 3, 2, "multiple '@' characters in node name 'n@1@2'");

    [Fact]
    public void WrongNameProperty() =>
        Fails(H + "\tdev@1 { name = \"other\"; };\n};\n", 3, 10, "\"name\" property of /dev@1 is incorrect");

    [Fact]
    public void NulInLineMarkerFileName() =>
        Fails("# 1 \"a\\0b\"\n/dts-v1/;\n", 1, 6, "NUL character in the file name of a line marker");

    [Fact]
    public void FixupForPathReferenceInPluginIsRejected() =>
        Fails("/dts-v1/;\n/plugin/;\n/ { p = <&{/not/here}>; };\n", 3, 10, "can't generate a fixup for a reference to path &{/not/here}");

    [Fact]
    public void RecursiveIncludeStopsAtDepthLimit()
    {
        var dir = Directory.CreateTempSubdirectory("dtmem-dts-");
        try
        {
            var self = Path.Combine(dir.FullName, "self.dtsi");
            File.WriteAllText(self, "/include/ \"self.dtsi\"\n");
            var e = Assert.Throws<DtException>(() => DtsCompiler.CompileText("/dts-v1/;\n/include/ \"self.dtsi\"\n", Path.Combine(dir.FullName, "top.dts"), new DtsCompileOptions()));
            Assert.Contains("/include/ nested more than 200 deep", e.Message, StringComparison.Ordinal);
            Assert.Equal((self, 1, 1), (e.At!.File, e.At.Line, e.At.Column));
            Assert.Equal(199, e.At.IncludeChain().Count()); // 200 files open: top.dts and 199 nested self.dtsi
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void ErrorInsideCppIncludedFileReportsOriginalFileAndChain()
    {
        const string src = "# 1 \"board.dts\"\n/dts-v1/;\n# 1 \"soc.dtsi\" 1\n/ {\n\tp = <&nope>;\n};\n# 3 \"board.dts\" 2\n";
        var e = Assert.Throws<DtException>(() => Compile(src));
        Assert.Equal("soc.dtsi:2:7: error: reference to non-existent node or label &nope in property 'p' of /", e.ToString());
        var from = Assert.Single(e.At!.IncludeChain());
        Assert.Equal(("board.dts", 2), (from.File, from.Line));
    }
}
