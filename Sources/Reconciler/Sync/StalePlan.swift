/// A saved plan that cannot be applied as it was shown: the live jobs changed since it was made, or
/// its commit no longer gives the same changes. Make a new plan.
package struct StalePlan: Error, Sendable, CustomStringConvertible {
    package var description: String
}
