// Numeric constants of call frame information: DW_CFA_* instruction opcodes
// (DWARF 5 §6.4.2 plus the GNU extensions gcc emits) and DW_EH_PE_* pointer
// encodings (LSB 5.0 "Exception Frames", used only by .eh_frame and
// .eh_frame_hdr).

// Opcodes whose top two bits carry the opcode and whose low six bits carry an
// operand (a delta or a register number).
export const DW_CFA_advance_loc = 0x40;
export const DW_CFA_offset = 0x80;
export const DW_CFA_restore = 0xc0;

export const DW_CFA_nop = 0x00;
export const DW_CFA_set_loc = 0x01;
export const DW_CFA_advance_loc1 = 0x02;
export const DW_CFA_advance_loc2 = 0x03;
export const DW_CFA_advance_loc4 = 0x04;
export const DW_CFA_offset_extended = 0x05;
export const DW_CFA_restore_extended = 0x06;
export const DW_CFA_undefined = 0x07;
export const DW_CFA_same_value = 0x08;
export const DW_CFA_register = 0x09;
export const DW_CFA_remember_state = 0x0a;
export const DW_CFA_restore_state = 0x0b;
export const DW_CFA_def_cfa = 0x0c;
export const DW_CFA_def_cfa_register = 0x0d;
export const DW_CFA_def_cfa_offset = 0x0e;
export const DW_CFA_def_cfa_expression = 0x0f;
export const DW_CFA_expression = 0x10;
export const DW_CFA_offset_extended_sf = 0x11;
export const DW_CFA_def_cfa_sf = 0x12;
export const DW_CFA_def_cfa_offset_sf = 0x13;
export const DW_CFA_val_offset = 0x14;
export const DW_CFA_val_offset_sf = 0x15;
export const DW_CFA_val_expression = 0x16;
export const DW_CFA_MIPS_advance_loc8 = 0x1d;
/** SPARC register windows; on AArch64 the same number is AARCH64_negate_ra_state. */
export const DW_CFA_GNU_window_save = 0x2d;
export const DW_CFA_GNU_args_size = 0x2e;
export const DW_CFA_GNU_negative_offset_extended = 0x2f;

// Pointer encodings: the low nibble says how the value is stored, bits 4–6
// what it is relative to, bit 7 whether it points at the real value.
export const DW_EH_PE_absptr = 0x00;
export const DW_EH_PE_uleb128 = 0x01;
export const DW_EH_PE_udata2 = 0x02;
export const DW_EH_PE_udata4 = 0x03;
export const DW_EH_PE_udata8 = 0x04;
/** Signed, address-sized. */
export const DW_EH_PE_signed = 0x08;
export const DW_EH_PE_sleb128 = 0x09;
export const DW_EH_PE_sdata2 = 0x0a;
export const DW_EH_PE_sdata4 = 0x0b;
export const DW_EH_PE_sdata8 = 0x0c;

export const DW_EH_PE_pcrel = 0x10;
export const DW_EH_PE_textrel = 0x20;
export const DW_EH_PE_datarel = 0x30;
export const DW_EH_PE_funcrel = 0x40;
export const DW_EH_PE_aligned = 0x50;

export const DW_EH_PE_indirect = 0x80;
export const DW_EH_PE_omit = 0xff;
