using System.Text;

namespace Iridium.Generators.Tests.Wire;

/// <summary>One test per diagnostic ID: the ID, and exactly what it highlights.</summary>
public sealed class WireDiagnosticTests
{
    private static void AssertDiagnostic(string source, string id, string highlighted)
    {
        var (_, output, diagnostics) = WireHarness.Run(source);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(highlighted, WireHarness.SpanText(diagnostic, output));
    }

    [Fact]
    public void IRG0101_NonPartialType()
        => AssertDiagnostic("[MemoryPackable] public class NodeInfo { public int Port { get; set; } }", "IRG0101", "NodeInfo");

    [Fact]
    public void IRG0101_NonPartialContainingType()
        => AssertDiagnostic("public class Outer { [MemoryPackable] public partial class Inner { } }", "IRG0101", "Inner");

    [Fact]
    public void IRG0102_UnsupportedMemberType()
        => AssertDiagnostic("[MemoryPackable] public partial class Holder { public object? Anything { get; set; } }", "IRG0102", "Anything");

    [Fact]
    public void IRG0102_UnsupportedElementType()
        => AssertDiagnostic("[MemoryPackable] public partial class Holder { public List<System.IO.Stream>? Streams; }", "IRG0102", "Streams");

    [Fact]
    public void IRG0103_DuplicateUnionTag()
        => AssertDiagnostic("""
            [MemoryPackable]
            [MemoryPackUnion(1, typeof(A))]
            [MemoryPackUnion(1, typeof(B))]
            public partial interface IMessage { }
            [MemoryPackable] public partial class A : IMessage { }
            [MemoryPackable] public partial class B : IMessage { }
            """, "IRG0103", "MemoryPackUnion(1, typeof(B))");

    [Fact]
    public void IRG0104_OrderGap()
        => AssertDiagnostic("""
            [MemoryPackable(SerializeLayout.Explicit)]
            public partial class Gapped
            {
                [MemoryPackOrder(0)] public int A { get; set; }
                [MemoryPackOrder(2)] public int B { get; set; }
            }
            """, "IRG0104", "Gapped");

    [Fact]
    public void IRG0105_ExplicitLayoutMissingOrder()
        => AssertDiagnostic("""
            [MemoryPackable(SerializeLayout.Explicit)]
            public partial class Unordered
            {
                [MemoryPackOrder(0)] public int A { get; set; }
                public int B { get; set; }
            }
            """, "IRG0105", "B");

    [Fact]
    public void IRG0105_VersionTolerantMissingOrder()
        => AssertDiagnostic("""
            [MemoryPackable(GenerateType.VersionTolerant)]
            public partial class Tolerant { public int A { get; set; } }
            """, "IRG0105", "A");

    [Fact]
    public void IRG0106_TooManyMembers()
    {
        var source = new StringBuilder("[MemoryPackable] public partial class Wide {\n");
        for (int i = 0; i < 250; i++) source.Append("public int F").Append(i).Append(";\n");
        source.Append('}');
        AssertDiagnostic(source.ToString(), "IRG0106", "Wide");
    }

    [Fact]
    public void IRG0107_CircularReferenceWithoutParameterlessConstructor()
        => AssertDiagnostic("""
            [MemoryPackable(GenerateType.CircularReference)]
            public partial class Node
            {
                public Node(string? name) { Name = name; }
                [MemoryPackOrder(0)] public string? Name { get; }
            }
            """, "IRG0107", "Node");

    [Fact]
    public void IRG0108_DuplicateOrder()
        => AssertDiagnostic("""
            [MemoryPackable(SerializeLayout.Explicit)]
            public partial class Twice
            {
                [MemoryPackOrder(0)] public int A { get; set; }
                [MemoryPackOrder(0)] public int B { get; set; }
            }
            """, "IRG0108", "B");

    [Fact]
    public void IRG0109_AmbiguousConstructor()
        => AssertDiagnostic("""
            [MemoryPackable]
            public partial class Choices
            {
                public Choices(int a) { A = a; }
                public Choices(int a, int b) { A = a + b; }
                public int A { get; }
            }
            """, "IRG0109", "Choices");

    [Fact]
    public void IRG0110_ConstructorParameterWithoutMember()
        => AssertDiagnostic("""
            [MemoryPackable]
            public partial class Mismatch
            {
                public Mismatch(int other) { A = other; }
                public int A { get; }
            }
            """, "IRG0110", "other");

    [Fact]
    public void IRG0111_InvalidUnionCase()
        => AssertDiagnostic("""
            [MemoryPackable]
            [MemoryPackUnion(0, typeof(Stranger))]
            public partial interface IMessage { }
            [MemoryPackable] public partial class Stranger { }
            """, "IRG0111", "MemoryPackUnion(0, typeof(Stranger))");

    [Fact]
    public void IRG0112_InvalidUnionType()
        => AssertDiagnostic("[MemoryPackable] public partial interface INoCases { }", "IRG0112", "INoCases");

    [Fact]
    public void IRG0113_UnsupportedType()
        => AssertDiagnostic("[MemoryPackable] public partial class Box<T> { public T? Value { get; set; } }", "IRG0113", "Box");

    [Fact]
    public void IRG0114_InaccessibleMember()
        => AssertDiagnostic("""
            public class Base { [MemoryPackInclude] private int secret = 1; public int Peek() => secret; }
            [MemoryPackable] public partial class Derived : Base { public int X { get; set; } }
            """, "IRG0114", "secret");

    [Fact]
    public void IRG0115_UnsupportedCallSiteType()
        => AssertDiagnostic("""
            public static class Use { public static byte[] Go() => WireSerializer.Serialize<object>(new object()); }
            """, "IRG0115", "WireSerializer.Serialize<object>(new object())");
}
