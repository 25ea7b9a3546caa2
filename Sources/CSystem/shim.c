// The module is the header in include/ (static inline wrappers); this file exists so SwiftPM builds a C target.
