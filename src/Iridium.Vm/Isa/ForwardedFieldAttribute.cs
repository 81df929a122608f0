namespace Iridium.Vm;

/// <summary>
/// Marks a <see cref="Cpu"/> field that a superinstruction keeps in a local between its parts:
/// writes in the copied handler bodies go to the field and the local, reads come from the local.
/// So a compare fused with DJMPE branches on the value it just computed instead of storing the flag
/// and loading it back (a store-to-load round trip on every conditional branch). Nothing but the
/// handler bodies may write such a field while the interpreter runs, except a method a body calls
/// in a <c>return</c> and gives the cpu (by <c>ref</c>, or reached through <c>cpu.Vm</c>), such as
/// PUSH growing the stack: the fields go back to the cpu before such a call, and the superinstruction
/// ends after it (its slow path goes on at a dispatch site of its own).
/// </summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class ForwardedFieldAttribute : Attribute
{
    /// <summary>
    /// Kept in a local of the whole interpreter instead (the stack registers): every label works on
    /// the local, and the field is written only where the run leaves the interpreter and before a
    /// method a body calls in a <c>return</c>, which reads the field and may change it (the local
    /// reads it again right after). A method a body calls anywhere else must neither read nor write
    /// a resident field: it would see a stale value, and what it wrote would be lost.
    /// </summary>
    public bool Resident { get; set; }
}
