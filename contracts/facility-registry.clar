;; facility-registry
;; The register of battery-storage facilities and of the admins who vet them.
;; A facility is registered by its owner, starts as pending, and is approved or
;; rejected by an admin; an approved facility may be suspended and reinstated.
;; Owners may delegate day-to-day actions to operators; the other contracts ask
;; this one whether a principal may act for a facility.
;;
;; Errors: u1000-u1099.

(define-constant ERR_NOT_ADMIN (err u1000))
(define-constant ERR_INVALID_NAME (err u1001))
(define-constant ERR_INVALID_CAPACITY (err u1002))
(define-constant ERR_INVALID_POWER (err u1003))
(define-constant ERR_FACILITY_NOT_FOUND (err u1004))
(define-constant ERR_NOT_PENDING (err u1005))
(define-constant ERR_NOT_APPROVED (err u1006))
(define-constant ERR_NOT_SUSPENDED (err u1007))
(define-constant ERR_NOT_OWNER (err u1008))
(define-constant ERR_ALREADY_ADMIN (err u1009))
(define-constant ERR_UNKNOWN_ADMIN (err u1010))
(define-constant ERR_LAST_ADMIN (err u1011))
(define-constant ERR_OPERATOR_IS_OWNER (err u1012))

(define-constant STATUS_PENDING "pending")
(define-constant STATUS_APPROVED "approved")
(define-constant STATUS_REJECTED "rejected")
(define-constant STATUS_SUSPENDED "suspended")

(define-map facilities
  uint
  {
    owner: principal,
    name: (string-utf8 64),
    location: (string-utf8 128),
    capacity-kwh: uint,
    max-power-kw: uint,
    status: (string-ascii 16),
    rejection-reason: (optional (string-ascii 64)),
    registered-at: uint,
    updated-at: uint,
  }
)

(define-map admins
  principal
  bool
)
(define-data-var admin-count uint u1)
(map-set admins tx-sender true)

(define-map operators
  {
    facility-id: uint,
    operator: principal,
  }
  bool
)

(define-data-var last-facility-id uint u0)

;; Read-only

(define-read-only (get-facility (facility-id uint))
  (map-get? facilities facility-id)
)

(define-read-only (get-last-facility-id)
  (var-get last-facility-id)
)

(define-read-only (is-admin (who principal))
  (default-to false (map-get? admins who))
)

(define-read-only (get-admin-count)
  (var-get admin-count)
)

(define-read-only (is-approved (facility-id uint))
  (match (map-get? facilities facility-id)
    facility (is-eq (get status facility) STATUS_APPROVED)
    false
  )
)

(define-read-only (is-operator
    (facility-id uint)
    (who principal)
  )
  (default-to false
    (map-get? operators {
      facility-id: facility-id,
      operator: who,
    })
  )
)

;; Owner or enabled operator, whatever the facility's status: callers that need
;; an approved facility check `is-approved` as well.
(define-read-only (is-facility-authorized
    (facility-id uint)
    (who principal)
  )
  (match (map-get? facilities facility-id)
    facility (or (is-eq who (get owner facility)) (is-operator facility-id who))
    false
  )
)

(define-read-only (get-facility-owner (facility-id uint))
  (get owner (map-get? facilities facility-id))
)

;; Registration

(define-public (register-facility
    (name (string-utf8 64))
    (location (string-utf8 128))
    (capacity-kwh uint)
    (max-power-kw uint)
  )
  (let ((facility-id (+ (var-get last-facility-id) u1)))
    (asserts! (> (len name) u0) ERR_INVALID_NAME)
    (asserts! (> capacity-kwh u0) ERR_INVALID_CAPACITY)
    (asserts! (> max-power-kw u0) ERR_INVALID_POWER)
    (map-insert facilities facility-id {
      owner: contract-caller,
      name: name,
      location: location,
      capacity-kwh: capacity-kwh,
      max-power-kw: max-power-kw,
      status: STATUS_PENDING,
      rejection-reason: none,
      registered-at: stacks-block-height,
      updated-at: stacks-block-height,
    })
    (var-set last-facility-id facility-id)
    (print {
      topic: "facility-registered",
      facility-id: facility-id,
      owner: contract-caller,
      name: name,
      location: location,
      capacity-kwh: capacity-kwh,
      max-power-kw: max-power-kw,
    })
    (ok facility-id)
  )
)

;; Admin review

(define-private (set-status
    (facility-id uint)
    (facility {
      owner: principal,
      name: (string-utf8 64),
      location: (string-utf8 128),
      capacity-kwh: uint,
      max-power-kw: uint,
      status: (string-ascii 16),
      rejection-reason: (optional (string-ascii 64)),
      registered-at: uint,
      updated-at: uint,
    })
    (status (string-ascii 16))
    (reason (optional (string-ascii 64)))
  )
  (map-set facilities facility-id
    (merge facility {
      status: status,
      rejection-reason: reason,
      updated-at: stacks-block-height,
    })
  )
)

(define-public (approve-facility (facility-id uint))
  (let ((facility (unwrap! (map-get? facilities facility-id) ERR_FACILITY_NOT_FOUND)))
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-eq (get status facility) STATUS_PENDING) ERR_NOT_PENDING)
    (set-status facility-id facility STATUS_APPROVED none)
    (print {
      topic: "facility-approved",
      facility-id: facility-id,
      owner: (get owner facility),
      capacity-kwh: (get capacity-kwh facility),
      max-power-kw: (get max-power-kw facility),
      admin: contract-caller,
    })
    (ok true)
  )
)

(define-public (reject-facility
    (facility-id uint)
    (reason (string-ascii 64))
  )
  (let ((facility (unwrap! (map-get? facilities facility-id) ERR_FACILITY_NOT_FOUND)))
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-eq (get status facility) STATUS_PENDING) ERR_NOT_PENDING)
    (set-status facility-id facility STATUS_REJECTED (some reason))
    (print {
      topic: "facility-rejected",
      facility-id: facility-id,
      owner: (get owner facility),
      reason: reason,
      admin: contract-caller,
    })
    (ok true)
  )
)

(define-public (suspend-facility (facility-id uint))
  (let ((facility (unwrap! (map-get? facilities facility-id) ERR_FACILITY_NOT_FOUND)))
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-eq (get status facility) STATUS_APPROVED) ERR_NOT_APPROVED)
    (set-status facility-id facility STATUS_SUSPENDED none)
    (print {
      topic: "facility-suspended",
      facility-id: facility-id,
      owner: (get owner facility),
      admin: contract-caller,
    })
    (ok true)
  )
)

(define-public (reinstate-facility (facility-id uint))
  (let ((facility (unwrap! (map-get? facilities facility-id) ERR_FACILITY_NOT_FOUND)))
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-eq (get status facility) STATUS_SUSPENDED) ERR_NOT_SUSPENDED)
    (set-status facility-id facility STATUS_APPROVED none)
    (print {
      topic: "facility-reinstated",
      facility-id: facility-id,
      owner: (get owner facility),
      admin: contract-caller,
    })
    (ok true)
  )
)

;; Admins

(define-public (add-admin (who principal))
  (begin
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (map-insert admins who true) ERR_ALREADY_ADMIN)
    (var-set admin-count (+ (var-get admin-count) u1))
    (print {
      topic: "admin-added",
      admin: who,
      by: contract-caller,
    })
    (ok true)
  )
)

(define-public (remove-admin (who principal))
  (begin
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-admin who) ERR_UNKNOWN_ADMIN)
    (asserts! (> (var-get admin-count) u1) ERR_LAST_ADMIN)
    (map-delete admins who)
    (var-set admin-count (- (var-get admin-count) u1))
    (print {
      topic: "admin-removed",
      admin: who,
      by: contract-caller,
    })
    (ok true)
  )
)

;; Operator delegation

(define-public (set-operator
    (facility-id uint)
    (operator principal)
    (enabled bool)
  )
  (let ((facility (unwrap! (map-get? facilities facility-id) ERR_FACILITY_NOT_FOUND)))
    (asserts! (is-eq contract-caller (get owner facility)) ERR_NOT_OWNER)
    (asserts! (not (is-eq operator (get owner facility))) ERR_OPERATOR_IS_OWNER)
    (if enabled
      (map-set operators {
        facility-id: facility-id,
        operator: operator,
      }
        true
      )
      (map-delete operators {
        facility-id: facility-id,
        operator: operator,
      })
    )
    (print {
      topic: "operator-set",
      facility-id: facility-id,
      operator: operator,
      enabled: enabled,
    })
    (ok true)
  )
)
