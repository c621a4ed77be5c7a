;; The hashes of libs/settlement, computed in Clarity: a contract holding a report's root can
;; check a line with these three functions and the line's inclusion proof.

(define-read-only (leaf-hash (line {slot: uint, facility-id: uint, committed-kw: uint, performance-bps: uint,
                                    delivered-kwh: uint, amount: uint}))
  (sha256 (concat 0x00 (unwrap-panic (to-consensus-buff? line)))))

(define-read-only (node-hash (left (buff 32)) (right (buff 32)))
  (sha256 (concat 0x01 (concat left right))))

(define-read-only (report-root (header {contract: principal, program-id: uint, cohort: uint, period: uint,
                                       product: (string-ascii 32), capacity-price: uint, energy-price: uint,
                                       line-count: uint})
                               (lines-root (buff 32)))
  (sha256 (concat 0x02 (concat (unwrap-panic (to-consensus-buff? header)) lines-root))))
