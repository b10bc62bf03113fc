;; TFRecord framing and both CRC-32C checks over a window of an event file's bytes, the part of
;; reading TensorBoard logs that touches every byte. JavaScript's typed-array loads made it 40 % of
;; a large read; here the same table-driven slicing-by-8 runs about 2.5x faster (loads without
;; bounds checks, 32-bit words). Compiled by scripts/build-wasm.mjs into record-check-wasm.ts;
;; record-framer.ts copies each window in and keeps every decision about damaged bytes itself.
;;
;; Memory layout (fixed, 21 pages): CRC tables at 0 (8 x 256 u32, copied in from crc32c.ts's
;; CRC32C_TABLES so both paths use one table), record lengths at 8192 (65,536 u32), the window of
;; file bytes at 270336 (1 MiB).
(module
  (memory (export "memory") 21 21)

  ;; TFRecord's masked CRC-32C of memory[p, end): the CRC rotated right by 15 plus 0xA282EAD8.
  (func $maskedCrc (param $p i32) (param $end i32) (result i32)
    (local $crc i32) (local $lo i32) (local $hi i32) (local $stop i32)
    (local.set $crc (i32.const -1))
    (local.set $stop (i32.sub (local.get $end) (i32.and (i32.sub (local.get $end) (local.get $p)) (i32.const 7))))
    (block $words
      (loop $eight
        (br_if $words (i32.ge_u (local.get $p) (local.get $stop)))
        (local.set $lo (i32.xor (i32.load (local.get $p)) (local.get $crc)))
        (local.set $hi (i32.load offset=4 (local.get $p)))
        (local.set $crc
          (i32.xor
            (i32.xor
              (i32.xor
                (i32.load offset=7168 (i32.shl (i32.and (local.get $lo) (i32.const 255)) (i32.const 2)))
                (i32.load offset=6144 (i32.shl (i32.and (i32.shr_u (local.get $lo) (i32.const 8)) (i32.const 255)) (i32.const 2))))
              (i32.xor
                (i32.load offset=5120 (i32.shl (i32.and (i32.shr_u (local.get $lo) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $lo) (i32.const 24)) (i32.const 2)))))
            (i32.xor
              (i32.xor
                (i32.load offset=3072 (i32.shl (i32.and (local.get $hi) (i32.const 255)) (i32.const 2)))
                (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $hi) (i32.const 8)) (i32.const 255)) (i32.const 2))))
              (i32.xor
                (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $hi) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                (i32.load (i32.shl (i32.shr_u (local.get $hi) (i32.const 24)) (i32.const 2)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $eight)))
    (block $bytes
      (loop $one
        (br_if $bytes (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $crc (i32.xor
          (i32.load (i32.shl (i32.and (i32.xor (local.get $crc) (i32.load8_u (local.get $p))) (i32.const 255)) (i32.const 2)))
          (i32.shr_u (local.get $crc) (i32.const 8))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $one)))
    (local.set $crc (i32.xor (local.get $crc) (i32.const -1)))
    (i32.add (i32.rotr (local.get $crc) (i32.const 15)) (i32.const 0xa282ead8)))

  ;; The masked CRC-32C of memory[p, end), for tests and for callers outside the framing loop.
  (func (export "maskedCrc") (param $p i32) (param $end i32) (result i32)
    (call $maskedCrc (local.get $p) (local.get $end)))

  ;; Frames sound records in memory[p, end): each one's total length (12-byte header, payload,
  ;; 4-byte footer) goes to the u32 list at `out`, at most `cap` of them. Stops before the first
  ;; record that is not whole in the window, whose length CRC fails, whose length is over `max`
  ;; (or needs more than 32 bits), or, when `verify` is set, whose payload CRC fails: JavaScript
  ;; decides what such a record is. Returns how many records were listed.
  (func (export "frame") (param $p i32) (param $end i32) (param $max i32) (param $verify i32)
      (param $out i32) (param $cap i32) (result i32)
    (local $n i32) (local $length i32) (local $payload i32)
    (block $stop
      (loop $record
        (br_if $stop (i32.ge_u (local.get $n) (local.get $cap)))
        (br_if $stop (i32.lt_u (i32.sub (local.get $end) (local.get $p)) (i32.const 16)))
        (br_if $stop (i32.ne
          (call $maskedCrc (local.get $p) (i32.add (local.get $p) (i32.const 8)))
          (i32.load offset=8 (local.get $p))))
        (br_if $stop (i32.ne (i32.load offset=4 (local.get $p)) (i32.const 0)))
        (local.set $length (i32.load (local.get $p)))
        (br_if $stop (i32.gt_u (local.get $length) (local.get $max)))
        (br_if $stop (i32.gt_u (local.get $length) (i32.sub (i32.sub (local.get $end) (local.get $p)) (i32.const 16))))
        (local.set $payload (i32.add (local.get $p) (i32.const 12)))
        (if (local.get $verify)
          (then
            (br_if $stop (i32.ne
              (call $maskedCrc (local.get $payload) (i32.add (local.get $payload) (local.get $length)))
              (i32.load (i32.add (local.get $payload) (local.get $length)))))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))) (i32.add (local.get $length) (i32.const 16)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (local.set $p (i32.add (i32.add (local.get $payload) (local.get $length)) (i32.const 4)))
        (br $record)))
    (local.get $n))
)
